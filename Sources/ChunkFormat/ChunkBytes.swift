public import Codecs

/// A chunk file's bytes as a reader holds them: an array (built in memory, read, or carried in a
/// checkpoint), or a region another object owns (the file mapped read-only), kept alive with the reader.
public enum ChunkBytes: Sendable {
    case array([UInt8])
    case region(any ByteRegion)

    public var count: Int {
        switch self {
        case .array(let a): a.count
        case .region(let r): r.bytes.count
        }
    }

    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        switch self {
        case .array(let a):
            let r = a.withUnsafeBytes { b in Result { () throws(E) in try body(b) } }
            return try r.get()
        case .region(let r):
            return try withExtendedLifetime(r) { () throws(E) -> R in try body(r.bytes) }
        }
    }

    /// A copy as an array.
    public var array: [UInt8] {
        switch self {
        case .array(let a): a
        case .region(let r): Array(r.bytes)
        }
    }
}
