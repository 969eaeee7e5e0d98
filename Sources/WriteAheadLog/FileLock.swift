#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on a volume, held as long as this object lives (an `flock` on a file whose
/// content is the holder's pid, for messages). The kernel drops it when the process dies, so a
/// killed pod never leaves a stale lock behind; a second server, or a tool that must not run beside
/// one, is refused at once instead of corrupting the volume.
public final class FileLock: @unchecked Sendable {
    public let path: String
    private let fd: Int32

    public struct Held: Error, CustomStringConvertible {
        public let path: String
        public let pid: Int32?
        public var description: String {
            "\(path) is locked by another process\(pid.map { " (pid \($0))" } ?? ""): a Skald server or tool is using this volume"
        }
    }

    /// Takes the lock at `path` (creating the file); throws `Held` when another process has it.
    public static func acquire(_ path: String) throws -> FileLock {
        try DurableFile.createDirectory(DurableFile.parent(of: path))
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw DurableFile.IOError(path: path, operation: "open", errno: errno) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let e = errno
            var buf = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buf, buf.count, 0)
            close(fd)
            guard e == EWOULDBLOCK else { throw DurableFile.IOError(path: path, operation: "flock", errno: e) }
            let digits = n > 0 ? String(decoding: buf[..<n].prefix { $0 >= 0x30 && $0 <= 0x39 }, as: UTF8.self) : ""
            throw Held(path: path, pid: Int32(digits))
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return FileLock(path: path, fd: fd)
    }

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
