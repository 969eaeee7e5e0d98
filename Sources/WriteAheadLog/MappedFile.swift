#if canImport(Glibc)
import Glibc
#endif
public import Codecs

/// A whole file mapped read-only, unmapped when the last reference goes. For files that are never
/// changed in place once written (chunk files: written under a temporary name, renamed, later only
/// unlinked — an unlinked file stays mapped until released): reading one costs no copy into a
/// fresh buffer, and pages already in the page cache are shared, not duplicated.
public final class MappedFile: ByteRegion, @unchecked Sendable {
    public let bytes: UnsafeRawBufferPointer
    public let path: String

    /// Maps `path`; nil if it is empty (nothing to map) — the caller reads it instead.
    public static func map(_ path: String) throws(DurableFile.IOError) -> MappedFile? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DurableFile.IOError(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw DurableFile.IOError(path: path, operation: "stat", errno: errno) }
        let size = Int(st.st_size)
        guard size > 0 else { return nil }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw DurableFile.IOError(path: path, operation: "mmap", errno: errno)
        }
        return MappedFile(bytes: UnsafeRawBufferPointer(start: base, count: size), path: path)
    }

    private init(bytes: UnsafeRawBufferPointer, path: String) {
        self.bytes = bytes
        self.path = path
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count) }
}
