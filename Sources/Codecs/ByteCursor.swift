/// A bounds-checked reader over a byte buffer: every read checks the remaining length first and
/// throws `CodecError` on short input — decoding never traps, whatever the bytes.
public struct ByteCursor {
    public let bytes: UnsafeRawBufferPointer
    /// Offset of the next unread byte.
    public private(set) var offset: Int
    /// Codec name used in error messages.
    public let codec: String

    public init(_ bytes: UnsafeRawBufferPointer, codec: String, offset: Int = 0) {
        self.bytes = bytes
        self.codec = codec
        self.offset = offset
    }

    public var remaining: Int { bytes.count - offset }
    public var isAtEnd: Bool { offset >= bytes.count }

    @inline(__always)
    mutating func need(_ n: Int, _ what: String) throws(CodecError) {
        guard n >= 0, n <= remaining else {
            throw CodecError(.truncated, codec: codec, "\(what) needs \(n) bytes at offset \(offset), only \(remaining) left")
        }
    }

    public mutating func u8(_ what: String = "byte") throws(CodecError) -> UInt8 {
        try need(1, what)
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func u32le(_ what: String = "u32") throws(CodecError) -> UInt32 {
        try need(4, what)
        defer { offset += 4 }
        return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    public mutating func u64le(_ what: String = "u64") throws(CodecError) -> UInt64 {
        try need(8, what)
        defer { offset += 8 }
        return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// A base-128 varint of at most 10 bytes (protobuf and Skald's formats).
    @inline(__always)
    public mutating func uvarint(_ what: String = "varint") throws(CodecError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < bytes.count else {
                throw CodecError(.truncated, codec: codec, "\(what) runs past the end at offset \(offset)")
            }
            let b = bytes[offset]
            offset += 1
            if shift == 63 && b > 1 {
                throw CodecError(.corrupt, codec: codec, "\(what) overflows 64 bits at offset \(offset - 1)")
            }
            result |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return result }
            shift += 7
            if shift > 63 { throw CodecError(.corrupt, codec: codec, "\(what) is longer than 10 bytes at offset \(offset)") }
        }
    }

    /// A length that must not exceed `max` nor the remaining bytes.
    public mutating func length(max: Int, _ what: String) throws(CodecError) -> Int {
        let v = try uvarint(what)
        guard v <= UInt64(max) else {
            throw CodecError(.tooLarge, codec: codec, "\(what) of \(v) bytes exceeds the maximum of \(max) at offset \(offset)")
        }
        try need(Int(v), what)
        return Int(v)
    }

    /// Skips `n` bytes.
    public mutating func skip(_ n: Int, _ what: String = "field") throws(CodecError) {
        try need(n, what)
        offset += n
    }

    /// The range of the next `n` bytes, consumed.
    public mutating func range(_ n: Int, _ what: String) throws(CodecError) -> Range<Int> {
        try need(n, what)
        defer { offset += n }
        return offset..<(offset + n)
    }

    /// The next `n` bytes as a String (UTF-8, invalid sequences repaired with U+FFFD).
    public mutating func string(_ n: Int, _ what: String) throws(CodecError) -> String {
        let r = try range(n, what)
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[r]), as: UTF8.self)
    }
}

/// Appending encoders for the little-endian and varint fields of Skald's formats.
extension Array where Element == UInt8 {
    @inline(__always)
    public mutating func appendU32LE(_ v: UInt32) {
        Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) }
    }

    @inline(__always)
    public mutating func appendU64LE(_ v: UInt64) {
        Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) }
    }

    @inline(__always)
    public mutating func appendUVarint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        append(UInt8(v))
    }

    /// Overwrites 4 bytes at `offset` with `v` little-endian (for lengths and checksums patched in after the fact).
    @inline(__always)
    public mutating func storeU32LE(_ v: UInt32, at offset: Int) {
        withUnsafeMutableBytes { $0.storeBytes(of: v.littleEndian, toByteOffset: offset, as: UInt32.self) }
    }
}

extension Array where Element == UInt8 {
    /// This array without spare capacity. Compressors write into a worst-case-sized buffer; a
    /// compressed block kept in memory for minutes must not hold on to two or three times its size.
    public func withoutSpareCapacity() -> [UInt8] {
        guard capacity > count + count / 8 + 64 else { return self }
        return [UInt8](unsafeUninitializedCapacity: count) { buf, n in
            _ = buf.initialize(from: self)
            n = count
        }
    }
}

/// Stores `v` as a uvarint at `p`, which must have room for `uvarintSize(v)` bytes (10 at most);
/// returns how many it wrote. For encoders that size their output first (no per-byte appends).
@inlinable @inline(__always)
public func storeUVarint(_ v: UInt64, at p: UnsafeMutableRawPointer) -> Int {
    var v = v, n = 0
    while v >= 0x80 {
        p.storeBytes(of: UInt8(truncatingIfNeeded: v) | 0x80, toByteOffset: n, as: UInt8.self)
        n += 1
        v >>= 7
    }
    p.storeBytes(of: UInt8(v), toByteOffset: n, as: UInt8.self)
    return n + 1
}

/// Number of bytes `v` takes as a varint.
@inline(__always)
public func uvarintSize(_ v: UInt64) -> Int {
    var n = 1
    var v = v
    while v >= 0x80 { v >>= 7; n += 1 }
    return n
}
