#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

#if os(Linux)
// `syncfs` needs _GNU_SOURCE, which the Glibc module does not define.
@_silgen_name("syncfs") private func linuxSyncfs(_ fd: Int32) -> Int32
#endif

/// The crash-safety ritual, in one place: write `.tmp` → fsync → rename → fsync the directory.
/// Also the small POSIX helpers the log needs (every failure carries the path and errno text).
public enum DurableFile {
    public struct IOError: Error, CustomStringConvertible, Sendable {
        public let path: String
        public let operation: String
        public let errno: Int32
        public var description: String {
            "\(operation) \(path): \(String(cString: strerror(errno))) (errno \(errno))"
        }
        /// ENOSPC / EDQUOT: the volume is full; the caller should stop accepting writes, not crash.
        public var isNoSpace: Bool { errno == ENOSPC || errno == EDQUOT }

        public init(path: String, operation: String, errno: Int32) {
            self.path = path
            self.operation = operation
            self.errno = errno
        }
    }

    /// Atomically replaces `path` with `bytes`. Without `syncDirectory`, the new name becomes durable
    /// only when the caller syncs the directory later (the bytes are durable either way).
    public static func writeAtomically(_ bytes: [UInt8], to path: String, syncDirectory syncDir: Bool = true) throws(IOError) {
        try writeAtomically(parts: [bytes], to: path, syncDirectory: syncDir)
    }

    /// The same for a file given as parts written back to back.
    public static func writeAtomically(parts: [[UInt8]], to path: String, syncDirectory syncDir: Bool = true) throws(IOError) {
        try writeWhole(parts, to: path) { f throws(IOError) in try f.commit(syncDirectory: syncDir) }
    }

    /// Writes `parts` back to back under a temporary name and renames the file into place, without
    /// waiting for the disk: durable at the next `syncFilesystem` (`Appender.commitDeferringSync`).
    public static func writeDeferringSync(parts: [[UInt8]], to path: String) throws(IOError) {
        try writeWhole(parts, to: path) { f throws(IOError) in try f.commitDeferringSync() }
    }

    private static func writeWhole(_ parts: [[UInt8]], to path: String, commit: (Appender) throws(IOError) -> Void) throws(IOError) {
        let file = try Appender(path: path)
        do {
            try file.append(parts)
            try commit(file)
        } catch {
            file.abandon()
            throw error
        }
    }

    /// Makes everything written to the filesystem holding `path` durable — data and names — in
    /// one call (`syncfs`): one journal commit for thousands of files written with
    /// `writeDeferringSync`, where an fsync each would cost one commit per file.
    public static func syncFilesystem(_ path: String) throws(IOError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw IOError(path: path, operation: "open directory", errno: errno) }
        defer { close(fd) }
        #if os(Linux)
        guard linuxSyncfs(fd) == 0 else { throw IOError(path: path, operation: "syncfs", errno: errno) }
        #else
        sync()
        #endif
    }

    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(IOError) {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw IOError(path: path, operation: "write", errno: errno)
            }
            written += n
        }
    }

    /// Writes `parts` back to back with `writev`, resuming after partial writes.
    public static func writeAll(_ fd: Int32, parts: [[UInt8]], path: String) throws(IOError) {
        // Keep every part's storage alive and pinned while the kernel reads it.
        var index = 0
        var skip = 0
        while index < parts.count {
            let batch = min(parts.count - index, 512)
            var failed: Int32 = 0
            let written: Int = withPinned(parts[index..<(index + batch)], skip: skip) { iov in
                let n = writev(fd, iov.baseAddress, Int32(iov.count))
                if n < 0 { failed = errno }
                return n
            }
            if written < 0 {
                if failed == EINTR { continue }
                throw IOError(path: path, operation: "writev", errno: failed)
            }
            // Advance over what was written.
            var left = written
            while left > 0 && index < parts.count {
                let avail = parts[index].count - skip
                if left >= avail {
                    left -= avail
                    index += 1
                    skip = 0
                } else {
                    skip += left
                    left = 0
                }
            }
            while index < parts.count && parts[index].count - skip == 0 { index += 1; skip = 0 }
        }
    }

    /// Builds iovecs over `parts` (the first offset by `skip`) and calls `body` while they are pinned.
    private static func withPinned(_ parts: ArraySlice<[UInt8]>, skip: Int, _ body: (UnsafeMutableBufferPointer<iovec>) -> Int) -> Int {
        var iovs = [iovec](repeating: iovec(), count: parts.count)
        func pin(_ i: Int, _ rest: ArraySlice<[UInt8]>) -> Int {
            guard let first = rest.first else { return iovs.withUnsafeMutableBufferPointer { body($0) } }
            return first.withUnsafeBytes { raw in
                let off = i == 0 ? skip : 0
                iovs[i] = iovec(iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress.map { $0 + off }), iov_len: raw.count - off)
                return pin(i + 1, rest.dropFirst())
            }
        }
        return pin(0, parts)
    }

    public static func syncDirectory(_ dir: String) throws(IOError) {
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw IOError(path: dir, operation: "open directory", errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw IOError(path: dir, operation: "fsync directory", errno: errno) }
    }

    public static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// `mkdir -p`.
    public static func createDirectory(_ path: String) throws(IOError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw IOError(path: current, operation: "mkdir", errno: errno)
            }
        }
    }

    /// Reads a whole file, or only its first `limit` bytes.
    public static func read(_ path: String, limit: Int = .max) throws(IOError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IOError(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw IOError(path: path, operation: "stat", errno: errno) }
        let size = min(Int(st.st_size), limit)
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: max(size, 1)) { buf, count in
            var got = 0
            while got < size {
                let n = Glibc.read(fd, buf.baseAddress! + got, size - got)
                if n < 0 { if errno == EINTR { continue }; failure = errno; break }
                if n == 0 { break }
                got += n
            }
            count = got
        }
        if failure != 0 { throw IOError(path: path, operation: "read", errno: failure) }
        return bytes
    }

    /// Names in a directory (not `.`/`..`), or an empty list if it does not exist.
    public static func list(_ dir: String) -> [String] {
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafePointer(to: e.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Deletes a file; returns whether it is gone (true if it was already absent).
    @discardableResult
    public static func remove(_ path: String) -> Bool {
        unlink(path) == 0 || errno == ENOENT
    }

    /// Renames a file and syncs its directory; returns whether it worked.
    @discardableResult
    public static func rename(_ from: String, to: String) -> Bool {
        guard Glibc.rename(from, to) == 0 else { return false }
        try? syncDirectory(parent(of: to))
        return true
    }

    public static func size(_ path: String) -> Int? {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : nil
    }
}
