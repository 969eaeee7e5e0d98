#if canImport(Glibc)
import Glibc
#endif

/// Follows one file by path, as Promtail's file target does: reads complete lines only (a partial
/// last line waits for its newline), follows rename-and-create rotation (the old file is read to
/// its end first, then the new one from its start), notices copytruncate (the file got shorter
/// than what was read: start again at 0), and cuts lines longer than `maxLineBytes`.
/// Not thread-safe: one tailing thread owns it.
public final class FileTailer {
    /// One complete line: its bytes (without the newline) and the file offset just past it.
    public struct Line {
        public var bytes: ArraySlice<UInt8>
        public var start: Int64
        public var end: Int64
        /// The line was longer than `maxLineBytes` and was cut.
        public var truncated: Bool
        /// Which file the path named when the line was read: bumped at each rotation and
        /// truncation, so an acknowledgement never moves the new file's position to an old
        /// file's offset.
        public var generation: Int
        /// The file it came from (device and inode), kept with the position so a restart can tell
        /// whether the path still names that file.
        public var identity: FileIdentity
    }

    public let path: String
    let maxLineBytes: Int
    private var fd: Int32 = -1
    private var device: UInt64 = 0
    private var inode: UInt64 = 0
    /// Offset in the open file of the first byte not yet returned in a line.
    public private(set) var offset: Int64 = 0
    /// Bytes read past `offset` that do not end in a newline yet.
    private var pending: [UInt8] = []
    /// Skipping the rest of a line that was cut.
    private var discarding = false
    /// The path was seen naming another file; the old one gets one more read to its end first
    /// (lines may have been appended between that read and the rename).
    private var rotationSeen = false
    /// The most one read asks for (a poll reads up to its limit in several). Each read goes into
    /// a new array of what the file holds past the offset, at most this, that its lines are
    /// slices of: nothing is kept per file between polls.
    static let readSize = 64 << 10
    /// Lines cut at `maxLineBytes`, and rotations / truncations seen (for metrics and tests).
    public private(set) var truncatedLines = 0
    public private(set) var rotations = 0
    public private(set) var truncations = 0
    /// Bumped whenever the offsets start again at 0 in another (or emptied) file.
    public private(set) var generation = 0

    /// Opens `path` at `offset` (an offset past the end means the file was truncated while the
    /// agent was away: it starts at 0).
    /// `generation` continues a path's count when it is tailed again in the same run (its marks
    /// must sort after those of the file it had before).
    /// `resumeFrom` is another name of the file the saved offset belongs to (it was rotated away
    /// while the agent was stopped): that file is read from `offset` to its end first, then `path`
    /// from its start, as after any rotation.
    public init(path: String, offset: Int64, maxLineBytes: Int, generation: Int = 0, resumeFrom: String? = nil) {
        self.path = path
        self.maxLineBytes = max(maxLineBytes, 1)
        self.offset = offset
        self.generation = generation
        _ = reopen(at: offset, name: resumeFrom ?? path)
    }

    deinit { if fd >= 0 { close(fd) } }

    public var isOpen: Bool { fd >= 0 }

    /// The open file's device and inode.
    public var identity: FileIdentity { FileIdentity(device: device, inode: inode) }

    /// The size of the open file (0 when closed), for `promtail_file_bytes_total`.
    public var size: Int64 {
        guard fd >= 0 else { return 0 }
        var st = stat()
        return fstat(fd, &st) == 0 ? Int64(st.st_size) : 0
    }

    @discardableResult
    private func reopen(at start: Int64, name: String? = nil) -> Bool {
        if fd >= 0 { close(fd); fd = -1 }
        let f = open(name ?? path, O_RDONLY | O_CLOEXEC)
        guard f >= 0 else { return false }
        var st = stat()
        guard fstat(f, &st) == 0 else { close(f); return false }
        fd = f
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        offset = start <= Int64(st.st_size) ? start : 0
        pending.removeAll(keepingCapacity: true)
        discarding = false
        rotationSeen = false
        return true
    }

    /// Reads what is new, up to about `limit` bytes, and returns the complete lines in it.
    public func poll(limit: Int = 1 << 20) -> [Line] {
        if fd < 0 {
            // The file was gone (or unreadable); it may be back.
            guard reopen(at: 0) else { return [] }
            generation += 1
        }
        var lines: [Line] = []
        var readNow = 0
        while readNow < limit {
            var st = stat()
            let sized = fstat(fd, &st) == 0
            if sized, Int64(st.st_size) < offset + Int64(pending.count) {
                // copytruncate: the file was emptied under us. Read again from the start.
                truncations += 1
                generation += 1
                offset = 0
                pending.removeAll(keepingCapacity: true)
                discarding = false
            }
            let at = offset + Int64(pending.count)
            let left = sized ? Int(clamping: Int64(st.st_size) - at) : Self.readSize
            let want = max(1, min(Self.readSize, limit - readNow, left))
            var n = 0
            let chunk = [UInt8](unsafeUninitializedCapacity: want) { buf, count in
                n = pread(fd, buf.baseAddress, want, off_t(at))
                count = max(n, 0)
            }
            if n <= 0 {
                // At the end: if the path now names another file (rotated), finish with this one and switch.
                if rotated() {
                    if !rotationSeen {
                        rotationSeen = true
                        continue
                    }
                    if !pending.isEmpty {
                        // A last line without a newline in a rotated-away file will never be finished.
                        lines.append(Line(bytes: pending[...], start: offset, end: offset + Int64(pending.count), truncated: false, generation: generation, identity: identity))
                    }
                    rotations += 1
                    generation += 1
                    reopen(at: 0)
                    continue
                }
                break
            }
            readNow += n
            split(chunk, into: &lines)
        }
        return lines
    }

    /// Whether the path no longer names the open file (renamed away, replaced, or deleted).
    private func rotated() -> Bool {
        var st = stat()
        guard stat(path, &st) == 0 else { return false }  // deleted: keep the old one until something appears
        return UInt64(st.st_ino) != inode || UInt64(st.st_dev) != device
    }

    /// Splits `chunk`, just read at `offset + pending.count`, into lines: those wholly in it are
    /// slices of it (no copy per line).
    private func split(_ chunk: [UInt8], into lines: inout [Line]) {
        let chunkStart = offset + Int64(pending.count)
        let n = chunk.count
        chunk.withUnsafeBufferPointer { b in
            var i = 0
            while i < n {
                let nl = UnsafeBufferPointer(rebasing: b[i..<n]).firstIndex(of: 0x0a).map { $0 + i }
                if discarding {
                    // Skipping the rest of a cut line, up to its newline.
                    guard let nl else { offset = chunkStart + Int64(n); return }
                    discarding = false
                    offset = chunkStart + Int64(nl + 1)
                    i = nl + 1
                    continue
                }
                let stop = nl ?? n
                let room = maxLineBytes - pending.count
                if stop - i > room {
                    // Longer than the maximum: send what fits, skip the rest of the line.
                    pending.append(contentsOf: b[i..<(i + room)])
                    let cutAt = chunkStart + Int64(i + room)
                    lines.append(Line(bytes: pending[...], start: offset, end: cutAt, truncated: true, generation: generation, identity: identity))
                    truncatedLines += 1
                    pending.removeAll(keepingCapacity: true)
                    offset = cutAt
                    discarding = true
                    i += room
                    continue
                }
                guard let nl else {
                    pending.append(contentsOf: b[i..<stop])
                    return  // no newline yet: the line waits
                }
                var line: ArraySlice<UInt8>
                if pending.isEmpty {
                    // The whole line is in this read: a slice of its copy.
                    line = chunk[i..<nl]
                } else {
                    pending.append(contentsOf: b[i..<nl])
                    line = pending[...]
                    pending = []
                }
                if line.last == 0x0d { line = line.dropLast() }  // a Windows line end, as Promtail drops it
                let end = chunkStart + Int64(nl + 1)
                lines.append(Line(bytes: line, start: offset, end: end, truncated: false, generation: generation, identity: identity))
                offset = end
                i = nl + 1
            }
        }
    }
}

/// A file's identity on its volume: what stays when it is renamed.
public struct FileIdentity: Sendable, Hashable, CustomStringConvertible {
    public var device: UInt64
    public var inode: UInt64
    public init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    /// The identity of the file at `path`, nil when there is none.
    public static func of(_ path: String) -> FileIdentity? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }

    public var description: String { "\(device):\(inode)" }

    public init?(_ text: Substring) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let d = UInt64(parts[0]), let i = UInt64(parts[1]) else { return nil }
        self.init(device: d, inode: i)
    }
}
