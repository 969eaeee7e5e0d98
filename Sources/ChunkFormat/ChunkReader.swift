public import LogModel
public import Codecs

/// Reads a chunk file block by block. `init` checks the prefix, header, trailer and block index
/// (lengths, offsets and checksums) but no block; a block is checked and decompressed only when
/// asked for, so one corrupt block costs only that block.
public struct ChunkReader: Sendable {
    /// Where one block lives and what it holds (from the block index).
    public struct BlockMeta: Sendable, Equatable {
        public var offset: Int
        public var length: Int
        public var rawLength: Int
        public var entries: Int
        public var minTime: Int64
        public var maxTime: Int64
        public var checksum: UInt32
    }

    /// The file's bytes (an array, or the file mapped; see `ChunkBytes`).
    public let bytes: ChunkBytes
    public let version: UInt8
    public let header: ChunkHeader
    public let blocks: [BlockMeta]
    /// The trailer's CRC32C over every byte before it (also kept in the index's chunk ref).
    public let checksum: UInt32

    public init(_ bytes: [UInt8]) throws(ChunkFormatError) {
        try self.init(.array(bytes))
    }

    public init(_ bytes: ChunkBytes) throws(ChunkFormatError) {
        self.bytes = bytes
        (version, header, blocks, checksum) = try bytes.withUnsafeBytes { raw throws(ChunkFormatError) in try ChunkReader.parse(raw) }
    }

    /// Entries whose timestamp is in the file, block `i`, in stored order.
    public func entries(ofBlock i: Int) throws -> [LogEntry] {
        try BlockReader.entries(try raw(ofBlock: i), count: blocks[i].entries, section: "block \(i)")
    }

    /// Block `i`'s raw payload, after its checksum is verified.
    public func raw(ofBlock i: Int) throws -> [UInt8] {
        let m = blocks[i]
        return try bytes.withUnsafeBytes { all in
            try ChunkBlock.raw(compressed: UnsafeRawBufferPointer(rebasing: all[m.offset..<(m.offset + m.length)]), checksum: m.checksum,
                               rawLength: m.rawLength, encoding: header.encoding, section: "block \(i)")
        }
    }

    /// Block `i` as stored (compressed).
    public func block(_ i: Int) -> ChunkBlock {
        let m = blocks[i]
        return ChunkBlock(bytes: bytes.withUnsafeBytes { Array($0[m.offset..<(m.offset + m.length)]) }, rawLength: m.rawLength, entries: m.entries,
                          minTime: m.minTime, maxTime: m.maxTime, checksum: m.checksum)
    }

    /// Checks the whole-file checksum (the tool's `chunk verify`; queries rely on block checksums).
    public func verifyChecksum() throws(ChunkFormatError) {
        let actual = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[..<($0.count - 4)])) }
        guard actual == checksum else {
            throw ChunkFormatError(.checksum, section: "trailer", "file CRC32C is \(hex(actual)), the trailer says \(hex(checksum))")
        }
    }

    /// Parses prefix, header body and header CRC within `raw[..<limit]`; returns where blocks start.
    private static func parseHeader(_ raw: UnsafeRawBufferPointer, limit: Int) throws(ChunkFormatError) -> (UInt8, ChunkHeader, Int) {
        guard limit >= ChunkLayout.prefixSize + 4 else {
            throw ChunkFormatError(.malformed, section: "header", "\(limit) bytes cannot hold a chunk header")
        }
        guard raw.prefix(4).elementsEqual(ChunkLayout.magic) else {
            throw ChunkFormatError(.notAChunk, section: "header", "magic is not SKCK")
        }
        let version = raw[4]
        guard ChunkLayout.readableVersions.contains(version) else {
            throw ChunkFormatError(.notAChunk, section: "header", "version \(version) is not one this build reads (\(ChunkLayout.readableVersions.sorted()))")
        }
        guard let encoding = ChunkEncoding(rawValue: raw[5]) else {
            throw ChunkFormatError(.malformed, section: "header", "unknown encoding \(raw[5])")
        }
        return try ChunkFormatError.reading("header") {
            var c = ByteCursor(raw, codec: "chunk", offset: 8)
            let headerLength = Int(try c.u32le("header length"))
            guard headerLength <= ChunkLayout.maxHeaderBytes, ChunkLayout.prefixSize + headerLength + 4 <= limit else {
                throw ChunkFormatError(.malformed, section: "header", "header length \(headerLength) does not fit the file")
            }
            let headerEnd = ChunkLayout.prefixSize + headerLength
            let headerCRC = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[..<headerEnd]))
            let storedHeaderCRC = raw.loadUnaligned(fromByteOffset: headerEnd, as: UInt32.self).littleEndian
            guard headerCRC == storedHeaderCRC else {
                throw ChunkFormatError(.checksum, section: "header", "CRC32C mismatch")
            }
            var h = ByteCursor(UnsafeRawBufferPointer(rebasing: raw[..<headerEnd]), codec: "chunk header", offset: ChunkLayout.prefixSize)
            let tenant = try h.string(try h.length(max: ChunkLayout.maxTenantBytes, "tenant length"), "tenant")
            let labels = try h.string(try h.length(max: ChunkLayout.maxLabelsBytes, "labels length"), "labels")
            let minLSN = try h.u64le("min LSN")
            let maxLSN = try h.u64le("max LSN")
            let minTime = Int64(bitPattern: try h.u64le("min time"))
            let maxTime = Int64(bitPattern: try h.u64le("max time"))
            let entries = try h.u64le("entries")
            let rawBytes = try h.u64le("raw bytes")
            guard entries <= UInt64(Int.max / 2), rawBytes <= UInt64(Int.max / 2) else {
                throw ChunkFormatError(.malformed, section: "header", "entry count \(entries) or raw size \(rawBytes) is out of range")
            }
            guard h.isAtEnd else { throw ChunkFormatError(.malformed, section: "header", "\(h.remaining) unexpected bytes at its end") }
            return (version, ChunkHeader(encoding: encoding, tenant: tenant, labels: labels, minLSN: minLSN, maxLSN: maxLSN, minTime: minTime, maxTime: maxTime,
                                         entries: Int(entries), rawBytes: Int(rawBytes)), headerEnd)
        }
    }

    private static func parse(_ raw: UnsafeRawBufferPointer) throws(ChunkFormatError) -> (UInt8, ChunkHeader, [BlockMeta], UInt32) {
        let minSize = ChunkLayout.prefixSize + 4 + 4 + 4 + ChunkLayout.trailerSize
        guard raw.count >= minSize else {
            throw ChunkFormatError(.malformed, section: "file", "\(raw.count) bytes is shorter than the smallest chunk (\(minSize))")
        }
        let (version, header, headerEnd) = try parseHeader(raw, limit: raw.count - ChunkLayout.trailerSize)
        return try ChunkFormatError.reading("file") {
            let blocksStart = headerEnd + 4

            var t = ByteCursor(raw, codec: "chunk trailer", offset: raw.count - ChunkLayout.trailerSize)
            let indexOffset = try t.u64le("index offset")
            let indexLength = Int(try t.u32le("index length"))
            let checksum = try t.u32le("chunk checksum")
            let trailerStart = raw.count - ChunkLayout.trailerSize
            guard indexOffset >= UInt64(blocksStart), indexOffset <= UInt64(trailerStart), Int(indexOffset) + indexLength == trailerStart, indexLength >= 8 else {
                throw ChunkFormatError(.malformed, section: "trailer", "index at \(indexOffset) (\(indexLength) bytes) does not end where the trailer starts (\(trailerStart))")
            }
            let io = Int(indexOffset)
            let indexCRC = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[io..<(trailerStart - 4)]))
            guard indexCRC == raw.loadUnaligned(fromByteOffset: trailerStart - 4, as: UInt32.self).littleEndian else {
                throw ChunkFormatError(.checksum, section: "index", "CRC32C mismatch")
            }
            var ic = ByteCursor(UnsafeRawBufferPointer(rebasing: raw[..<(trailerStart - 4)]), codec: "chunk index", offset: io)
            let count = Int(try ic.u32le("block count"))
            guard count <= ChunkLayout.maxBlocks, count * ChunkLayout.indexEntrySize == ic.remaining else {
                throw ChunkFormatError(.malformed, section: "index", "\(count) blocks do not match its \(indexLength) bytes")
            }
            var blocks: [BlockMeta] = []
            blocks.reserveCapacity(count)
            for i in 0..<count {
                let off = try ic.u64le("block offset")
                let len = Int(try ic.u32le("block length"))
                let rawLen = Int(try ic.u32le("block raw length"))
                let entries = Int(try ic.u32le("block entries"))
                let lo = Int64(bitPattern: try ic.u64le("block min time"))
                let hi = Int64(bitPattern: try ic.u64le("block max time"))
                let crc = try ic.u32le("block checksum")
                guard off >= UInt64(blocksStart), off <= UInt64(io), len <= io - Int(off) else {
                    throw ChunkFormatError(.malformed, section: "index", "block \(i) at \(off) (\(len) bytes) lies outside the block region \(blocksStart)..<\(io)")
                }
                guard rawLen <= ChunkLayout.maxBlockRawBytes, entries * ChunkLayout.minEntryBytes <= rawLen, lo <= hi || entries == 0 else {
                    throw ChunkFormatError(.malformed, section: "index", "block \(i) claims \(entries) entries in \(rawLen) raw bytes, times \(lo)...\(hi)")
                }
                blocks.append(BlockMeta(offset: Int(off), length: len, rawLength: rawLen, entries: entries, minTime: lo, maxTime: hi, checksum: crc))
            }
            guard header.entries == blocks.reduce(0, { $0 + $1.entries }), header.rawBytes == blocks.reduce(0, { $0 + $1.rawLength }) else {
                throw ChunkFormatError(.malformed, section: "header", "its entry count and raw size disagree with the block index")
            }
            return (version, header, blocks, checksum)
        }
    }
}

private func hex(_ v: UInt32) -> String { "0x" + hexDigits(UInt64(v)) }
