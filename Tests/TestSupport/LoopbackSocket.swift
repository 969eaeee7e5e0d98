import Foundation

/// A TCP socket bound to 127.0.0.1 on a port the kernel picks (shared by the test targets).
public enum LoopbackSocket {
    /// The bound socket (the caller listens on it or closes it) and its port.
    public static func bind() -> (fd: Int32, port: Int) {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(s, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &len) } }
        return (s, Int(UInt16(bigEndian: addr.sin_port)))
    }

    /// A port free a moment ago (a server that must come back on the same port after a restart).
    public static func freePort() -> Int {
        let (s, port) = bind()
        close(s)
        return port
    }
}
