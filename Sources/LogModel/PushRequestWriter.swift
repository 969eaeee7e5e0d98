import Codecs

/// Writes a `logproto.PushRequest` straight into one buffer. Protobuf puts each message's length
/// before its bytes, so the sizes are worked out first (`entrySize`) and every byte is then
/// written once, in place: no per-message buffers, no copy of the lines into a batch first.
///
/// Use: for each stream, sum `entrySize` over the entries it will hold, call `stream` with that
/// sum, then `entry` for exactly those entries, in the same order. Field layout as `PushProtobuf`
/// decodes it (StreamAdapter{labels=1, entries=2}, EntryAdapter{timestamp=1, line=2,
/// structuredMetadata=3}, Timestamp{seconds=1, nanos=2}, LabelPairAdapter{name=1, value=2}); the
/// timestamp field is always present, zero parts left out.
public struct PushRequestWriter {
    public private(set) var bytes: [UInt8]

    public init(reservingCapacity n: Int = 0) {
        bytes = []
        bytes.reserveCapacity(n)
    }

    /// Starts again, keeping the buffer's capacity (a client reuses one writer for every batch).
    public mutating func reset() { bytes.removeAll(keepingCapacity: true) }

    /// What one entry adds to its stream's message: its tag, length and body.
    public static func entrySize(timestamp: Int64, lineBytes: Int, metadata: [Label] = []) -> Int {
        fieldSize(entryBodySize(timestamp: timestamp, lineBytes: lineBytes, metadata: metadata))
    }

    /// Opens a stream whose entries (to be written next) add up to `entriesSize` bytes.
    public mutating func stream(labels: String, entriesSize: Int) {
        var labels = labels
        labels.withUTF8 { l in
            header(field: 1, length: Self.fieldSize(l.count) + entriesSize)
            header(field: 1, length: l.count)
            bytes.append(contentsOf: l)
        }
    }

    public mutating func entry(timestamp: Int64, line: String, metadata: [Label] = []) {
        var line = line
        line.withUTF8 { entry(timestamp: timestamp, line: $0, metadata: metadata) }
    }

    public mutating func entry(timestamp: Int64, line: UnsafeBufferPointer<UInt8>, metadata: [Label] = []) {
        let (secs, nanos) = Self.split(timestamp)
        header(field: 2, length: Self.entryBodySize(timestamp: timestamp, lineBytes: line.count, metadata: metadata))
        header(field: 1, length: Self.timestampSize(secs, nanos))
        if secs != 0 { bytes.append(0x08); bytes.appendUVarint(UInt64(bitPattern: secs)) }
        if nanos != 0 { bytes.append(0x10); bytes.appendUVarint(UInt64(nanos)) }
        header(field: 2, length: line.count)
        bytes.append(contentsOf: line)
        for l in metadata {
            let name = l.name.utf8.count, value = l.value.utf8.count
            header(field: 3, length: Self.fieldSize(name) + Self.fieldSize(value))
            header(field: 1, length: name)
            bytes.append(contentsOf: l.name.utf8)
            header(field: 2, length: value)
            bytes.append(contentsOf: l.value.utf8)
        }
    }

    // MARK: sizes

    /// Seconds and non-negative nanoseconds, as `google.protobuf.Timestamp` has them.
    static func split(_ ns: Int64) -> (secs: Int64, nanos: Int64) {
        let secs = ns >= 0 ? ns / 1_000_000_000 : (ns - 999_999_999) / 1_000_000_000
        return (secs, ns - secs * 1_000_000_000)
    }

    static func timestampSize(_ secs: Int64, _ nanos: Int64) -> Int {
        (secs != 0 ? 1 + varintSize(UInt64(bitPattern: secs)) : 0) + (nanos != 0 ? 1 + varintSize(UInt64(nanos)) : 0)
    }

    static func entryBodySize(timestamp: Int64, lineBytes: Int, metadata: [Label]) -> Int {
        let (secs, nanos) = split(timestamp)
        var n = fieldSize(timestampSize(secs, nanos)) + fieldSize(lineBytes)
        for l in metadata { n += fieldSize(fieldSize(l.name.utf8.count) + fieldSize(l.value.utf8.count)) }
        return n
    }

    /// A length-delimited field of `length` bytes, with its one-byte tag (fields 1–15) and length.
    static func fieldSize(_ length: Int) -> Int { 1 + varintSize(UInt64(length)) + length }

    static func varintSize(_ v: UInt64) -> Int { v == 0 ? 1 : (64 - v.leadingZeroBitCount + 6) / 7 }

    private mutating func header(field: UInt8, length: Int) {
        bytes.append(field << 3 | 2)
        bytes.appendUVarint(UInt64(length))
    }
}
