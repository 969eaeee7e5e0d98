/// What reading a checkpoint found.
public struct CheckpointScan: Sendable {
    public var prefix: CheckpointPrefix
    /// The end frame, or nil when the file has none (it was cut short).
    public var end: CheckpointEnd?
    /// Chunks handed to the caller.
    public var chunks = 0
    /// Frames skipped, or where reading had to stop, in file order. Empty for a sound file.
    public var damage: [CheckpointFormatError] = []

    /// Whether every chunk the file claims was read.
    public var isComplete: Bool { damage.isEmpty && end.map { $0.chunks == UInt64(chunks) } == true }
}

/// Reads a checkpoint front to back through a byte source, one frame in memory at a time.
public enum CheckpointReader {
    /// Reads the file behind `read` (which returns the next `n` bytes, fewer only at the end of the
    /// file) and hands each chunk to `body`. Throws only when the prefix is unreadable (nothing in
    /// the file can be trusted) or when `read` or `body` throw; a damaged frame is recorded in the
    /// scan's `damage` and ends reading (lengths after it cannot be trusted), an unreadable chunk in
    /// a sound frame is recorded and skipped.
    public static func read(_ read: (Int) throws -> [UInt8], body: (CheckpointChunk) throws -> Void) throws -> CheckpointScan {
        let prefix = try CheckpointCodec.decodePrefix(try read(CheckpointLayout.prefixSize))
        var scan = CheckpointScan(prefix: prefix)
        var offset = CheckpointLayout.prefixSize
        while true {
            let raw = try read(CheckpointLayout.frameHeaderSize)
            if raw.isEmpty {
                scan.damage.append(CheckpointFormatError(.malformed, section: "end", "the file ends after \(scan.chunks) chunks without its end frame (cut short)"))
                return scan
            }
            let header: CheckpointFrameHeader
            switch attempt({ () throws(CheckpointFormatError) in try CheckpointCodec.decodeFrameHeader(raw, at: offset) }) {
            case .success(let h): header = h
            case .failure(let e): scan.damage.append(e); return scan
            }
            let payload = try read(header.length)
            if case .failure(let e) = attempt({ () throws(CheckpointFormatError) in try CheckpointCodec.verify(header, payload: payload, at: offset) }) {
                scan.damage.append(e)
                return scan
            }
            if header.kind == .end {
                switch attempt({ () throws(CheckpointFormatError) in try CheckpointCodec.decodeEnd(payload) }) {
                case .success(let end):
                    scan.end = end
                    let seen = scan.chunks + scan.damage.count
                    if end.chunks != UInt64(seen) {
                        scan.damage.append(CheckpointFormatError(.malformed, section: "end", "the end frame counts \(end.chunks) chunks, the file holds \(seen)"))
                    }
                case .failure(let e):
                    scan.damage.append(e)
                }
                if !(try read(1)).isEmpty {
                    scan.damage.append(CheckpointFormatError(.malformed, section: "end", "bytes follow the end frame"))
                }
                return scan
            }
            switch attempt({ () throws(CheckpointFormatError) in try CheckpointCodec.decodeChunk(header, payload: payload, at: offset) }) {
            case .success(let chunk):
                try body(chunk)
                scan.chunks += 1
            case .failure(let e):
                scan.damage.append(e)
            }
            offset += CheckpointLayout.frameHeaderSize + header.length
        }
    }

    /// A decoding step's outcome as a value (keeps typed errors apart from the byte source's).
    private static func attempt<T>(_ step: () throws(CheckpointFormatError) -> T) -> Result<T, CheckpointFormatError> {
        Result(catching: step)
    }

    /// Reads a checkpoint held whole in memory (tests, tools).
    public static func read(_ bytes: [UInt8], body: (CheckpointChunk) throws -> Void) throws -> CheckpointScan {
        var at = 0
        return try read({ n in
            let take = min(n, bytes.count - at)
            defer { at += take }
            return Array(bytes[at..<(at + take)])
        }, body: body)
    }

    /// The end frame from the file's last `CheckpointLayout.endFrameSize` bytes, read before the rest
    /// so the reader knows the lowest LSN it will meet.
    public static func end(fromTail tail: [UInt8]) throws(CheckpointFormatError) -> CheckpointEnd {
        guard tail.count == CheckpointLayout.endFrameSize else {
            throw CheckpointFormatError(.malformed, section: "end", "file is too short to hold an end frame")
        }
        let h = try CheckpointCodec.decodeFrameHeader(Array(tail[0..<CheckpointLayout.frameHeaderSize]), at: -1)
        guard h.kind == .end else { throw CheckpointFormatError(.malformed, section: "end", "the file's last frame is not an end frame") }
        let payload = Array(tail[CheckpointLayout.frameHeaderSize...])
        try CheckpointCodec.verify(h, payload: payload, at: -1)
        return try CheckpointCodec.decodeEnd(payload)
    }
}
