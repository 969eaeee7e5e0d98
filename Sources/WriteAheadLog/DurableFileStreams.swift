#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

#if os(Linux)
// `sync_file_range` needs _GNU_SOURCE, which the Glibc module does not define: declare it and its flags.
@_silgen_name("sync_file_range") private func sync_file_range(_ fd: Int32, _ offset: Int64, _ count: Int64, _ flags: UInt32) -> Int32
private enum SyncFileRange {
    static let waitBefore = 1, write = 2, waitAfter = 4
}
#endif

extension DurableFile {
    /// A file written in pieces under the crash-safety ritual: appended to as `<path>.tmp`, then
    /// `commit` fsyncs it, renames it into place and fsyncs the directory. Until `commit`, a crash
    /// leaves only the `.tmp` (deleted on the next start); `abandon` removes it at once.
    ///
    /// With `writeBehind` (bytes), a long file is written back to the disk as it grows: each window
    /// of that size is handed to the kernel as soon as it is written, the one before it is waited
    /// for and dropped from the page cache. Dirty data stays within two windows, so the final fsync
    /// is short and other writers' fsyncs (chunk flushes, the log) never queue behind hundreds of
    /// megabytes of it. For files read only after a restart (checkpoints).
    public final class Appender {
        public let path: String
        public var tmpPath: String { path + ".tmp" }
        private var fd: Int32
        public private(set) var written = 0
        private let writeBehind: Int
        /// Bytes before this offset were handed to writeback; the window before it is [waited, submitted).
        private var submitted = 0
        private var waited = 0

        public init(path: String, writeBehind: Int = 0) throws(IOError) {
            self.path = path
            self.writeBehind = writeBehind
            fd = open(path + ".tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw IOError(path: path + ".tmp", operation: "open", errno: errno) }
        }

        deinit { if fd >= 0 { close(fd) } }

        public func append(_ parts: [[UInt8]]) throws(IOError) {
            try DurableFile.writeAll(fd, parts: parts, path: tmpPath)
            written += parts.reduce(0) { $0 + $1.count }
            if writeBehind > 0 && written - submitted >= writeBehind { try writeBack() }
        }

        private func writeBack() throws(IOError) {
            #if os(Linux)
            if submitted > waited {
                let flags = UInt32(SyncFileRange.waitBefore | SyncFileRange.write | SyncFileRange.waitAfter)
                guard sync_file_range(fd, Int64(waited), Int64(submitted - waited), flags) == 0 else {
                    throw IOError(path: tmpPath, operation: "sync_file_range", errno: errno)
                }
                _ = posix_fadvise(fd, off_t(waited), off_t(submitted - waited), Int32(POSIX_FADV_DONTNEED))
                waited = submitted
            }
            guard sync_file_range(fd, Int64(submitted), Int64(written - submitted), UInt32(SyncFileRange.write)) == 0 else {
                throw IOError(path: tmpPath, operation: "sync_file_range", errno: errno)
            }
            submitted = written
            #endif
        }

        /// fsync → close → rename → fsync the directory (without `syncDirectory`, the new name
        /// becomes durable when the caller syncs the directory later).
        public func commit(syncDirectory syncDir: Bool = true) throws(IOError) {
            guard fsync(fd) == 0 else { throw IOError(path: tmpPath, operation: "fsync", errno: errno) }
            try closeAndRename()
            if syncDir { try DurableFile.syncDirectory(DurableFile.parent(of: path)) }
        }

        /// Starts writing the file back (without waiting), closes it and renames it into place. Its
        /// content and name become durable at the next `DurableFile.syncFilesystem` (or whenever the
        /// kernel gets to them): for files nothing durable refers to until then, whose data a crash
        /// cannot lose because it is also somewhere durable (chunks, whose records stay in the log
        /// until their index table is written).
        public func commitDeferringSync() throws(IOError) {
            #if os(Linux)
            // Writeback starts now, so the later sync finds little left to write.
            _ = sync_file_range(fd, 0, 0, UInt32(SyncFileRange.write))
            #endif
            try closeAndRename()
        }

        private func closeAndRename() throws(IOError) {
            close(fd)
            fd = -1
            guard Glibc.rename(tmpPath, path) == 0 else { throw IOError(path: path, operation: "rename", errno: errno) }
        }

        /// Closes and deletes the temporary file.
        public func abandon() {
            if fd >= 0 { close(fd); fd = -1 }
            unlink(tmpPath)
        }
    }

    /// A file read front to back in pieces (one piece in memory at a time), plus its tail.
    public final class SequentialReader {
        public let path: String
        public let size: Int
        private let fd: Int32
        private var offset = 0

        public init(path: String) throws(IOError) {
            self.path = path
            fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw IOError(path: path, operation: "open", errno: errno) }
            var st = stat()
            guard fstat(fd, &st) == 0 else {
                let e = errno
                close(fd)
                throw IOError(path: path, operation: "stat", errno: e)
            }
            size = Int(st.st_size)
        }

        deinit { close(fd) }

        /// The next `count` bytes (fewer only at the end of the file).
        public func read(_ count: Int) throws(IOError) -> [UInt8] {
            let n = max(0, min(count, size - offset))
            let bytes = try pread(at: offset, count: n)
            offset += bytes.count
            return bytes
        }

        /// The last `count` bytes (or the whole file if shorter), without moving the read position.
        public func tail(_ count: Int) throws(IOError) -> [UInt8] {
            try pread(at: max(0, size - count), count: min(count, size))
        }

        private func pread(at start: Int, count: Int) throws(IOError) -> [UInt8] {
            guard count > 0 else { return [] }
            var failure: Int32 = 0
            let bytes = [UInt8](unsafeUninitializedCapacity: count) { buf, got in
                got = 0
                while got < count {
                    let n = Glibc.pread(fd, buf.baseAddress! + got, count - got, off_t(start + got))
                    if n < 0 { if errno == EINTR { continue }; failure = errno; break }
                    if n == 0 { break }
                    got += n
                }
            }
            if failure != 0 { throw IOError(path: path, operation: "read", errno: failure) }
            return bytes
        }
    }
}
