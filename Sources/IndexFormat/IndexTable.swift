public import Codecs
public import LogModel

/// An opened index table. `init` checks the whole-file checksum, the table of contents and every
/// section (symbols sorted and distinct, label references in range, series sorted, postings
/// ascending and in range), so lookups afterwards read known-good bytes; it never traps.
public final class IndexTable: Sendable {
    public let bytes: [UInt8]
    public let version: UInt8
    public let header: IndexTableHeader
    /// The trailer's CRC32C over every byte before it (also recorded in the manifest).
    public let checksum: UInt32
    let symbols: [String]
    /// Where each series starts, from the series section's start.
    let seriesOffsets: [Int]
    let seriesSection: Range<Int>
    /// Label name → its values, each with the ascending ids of the series carrying it.
    let postings: [String: [(value: String, ids: [UInt32])]]
    /// Roughly what the opened table occupies: its bytes plus the symbols, offsets and postings
    /// parsed from them (several times the bytes for a table of many small series).
    public let memoryBytes: Int

    public init(_ bytes: [UInt8]) throws(IndexFormatError) {
        self.bytes = bytes
        let parsed = bytes.withUnsafeBytes { raw in Result { () throws(IndexFormatError) in try IndexTable.parse(raw) } }
        let p = try parsed.get()
        (version, header, checksum, symbols, seriesOffsets, seriesSection, postings) = (p.version, p.header, p.checksum, p.symbols, p.offsets, p.seriesSection, p.postings)
        // A String is 16 bytes inline plus a heap buffer when longer than 15 bytes; arrays and
        // dictionary slots add their headers.
        let strings = symbols.reduce(0) { $0 + 16 + ($1.utf8.count > 15 ? 32 + $1.utf8.count : 0) }
        let lists = postings.reduce(0) { acc, kv in
            acc + 48 + kv.key.utf8.count + kv.value.reduce(0) { $0 + 64 + $1.value.utf8.count + 4 * $1.ids.count }
        }
        memoryBytes = bytes.count + strings + 8 * seriesOffsets.count + lists
    }

    // MARK: lookups

    /// Ids of the series whose labels satisfy every matcher, ascending. Matchers that reject the
    /// empty value select through the postings (intersected); the rest are checked on the candidates.
    public func seriesIDs(matching matchers: [LabelMatcher]) -> [UInt32] {
        var candidates: [UInt32]?
        for m in matchers where !m.matchesEmpty {
            var union: [UInt32] = []
            for (value, ids) in postings[m.name] ?? [] where m.matches(value: value) { union += ids }
            union.sort()
            candidates = candidates.map { Self.intersect($0, union) } ?? union
            if candidates!.isEmpty { return [] }
        }
        let all = candidates ?? (0..<UInt32(seriesOffsets.count)).map { $0 }
        let rest = matchers.filter(\.matchesEmpty)
        if rest.isEmpty { return Self.distinct(all) }
        return Self.distinct(all).filter { id in (try? labels(of: id)).map { rest.matches($0) } ?? false }
    }

    /// Series `id` with its chunks.
    public func series(_ id: UInt32) throws(IndexFormatError) -> IndexedSeries {
        try read(id, chunks: true)
    }

    /// Series `id`'s labels only.
    public func labels(of id: UInt32) throws(IndexFormatError) -> LabelSet {
        try read(id, chunks: false).labels
    }

    /// Label names present in the table, sorted.
    public var labelNames: [String] { postings.keys.sorted() }

    /// Values of `name` present in the table, sorted.
    public func labelValues(_ name: String) -> [String] { (postings[name] ?? []).map(\.value) }

    public var seriesCount: Int { seriesOffsets.count }

    func read(_ id: UInt32, chunks: Bool) throws(IndexFormatError) -> IndexedSeries {
        guard Int(id) < seriesOffsets.count else {
            throw IndexFormatError(.malformed, section: "series", "series \(id) of \(seriesOffsets.count) does not exist")
        }
        let r = bytes.withUnsafeBytes { raw in
            Result { () throws(IndexFormatError) in
                var c = ByteCursor(UnsafeRawBufferPointer(rebasing: raw[seriesSection]), codec: "index", offset: seriesOffsets[Int(id)])
                return try IndexTable.decodeSeries(&c, symbols: symbols, chunks: chunks, section: "series \(id)")
            }
        }
        return try r.get()
    }

    static func intersect(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
        var out: [UInt32] = []
        var i = 0, j = 0
        while i < a.count && j < b.count {
            if a[i] == b[j] {
                out.append(a[i])
                i += 1
                j += 1
            } else if a[i] < b[j] {
                i += 1
            } else {
                j += 1
            }
        }
        return out
    }

    static func distinct(_ sorted: [UInt32]) -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(sorted.count)
        for v in sorted where out.last != v { out.append(v) }
        return out
    }

    // MARK: parsing

    struct Parsed {
        var version: UInt8
        var header: IndexTableHeader
        var checksum: UInt32
        var symbols: [String]
        var offsets: [Int]
        var seriesSection: Range<Int>
        var postings: [String: [(value: String, ids: [UInt32])]]
    }

    static func parse(_ raw: UnsafeRawBufferPointer) throws(IndexFormatError) -> Parsed {
        guard raw.count >= IndexLayout.prefixSize + IndexLayout.tocSize + IndexLayout.trailerSize,
              Array(raw[0..<4]) == IndexLayout.tableMagic else {
            throw IndexFormatError(.notAnIndex, section: "prefix", "not a Skald index table (no SKIX magic, or shorter than the smallest table)")
        }
        let version = raw[4]
        guard IndexLayout.readableVersions.contains(version) else {
            throw IndexFormatError(.notAnIndex, section: "prefix", "index table version \(version) is not readable by this build (reads \(IndexLayout.readableVersions.sorted()))")
        }
        let end = raw.count - IndexLayout.trailerSize
        let stored = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: raw.count - 4, as: UInt32.self))
        let actual = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[..<(raw.count - 4)]))
        guard stored == actual else {
            throw IndexFormatError(.checksum, section: "trailer", "file CRC32C is \(hex(actual)), the trailer says \(hex(stored))")
        }
        let tocOffset = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: end, as: UInt64.self))
        guard tocOffset == UInt64(end - IndexLayout.tocSize) else {
            throw IndexFormatError(.malformed, section: "trailer", "table of contents offset \(tocOffset) is not \(end - IndexLayout.tocSize)")
        }
        var sections: [Range<Int>] = []
        var expected = IndexLayout.prefixSize
        for i in 0..<IndexLayout.sectionCount {
            let at = Int(tocOffset) + i * 16
            let offset = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self))
            let length = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at + 8, as: UInt64.self))
            guard offset == UInt64(expected), length <= UInt64(Int(tocOffset) - expected) else {
                throw IndexFormatError(.malformed, section: "toc", "section \(i) at \(offset)+\(length) is not back to back inside the file")
            }
            sections.append(expected..<(expected + Int(length)))
            expected += Int(length)
        }
        guard expected == Int(tocOffset) else {
            throw IndexFormatError(.malformed, section: "toc", "\(Int(tocOffset) - expected) stray bytes before the table of contents")
        }
        func cursor(_ i: Int) -> ByteCursor { ByteCursor(UnsafeRawBufferPointer(rebasing: raw[sections[i]]), codec: "index") }

        // header
        var c = cursor(0)
        let header = try IndexFormatError.reading("header") { () throws -> IndexTableHeader in
            let h = try IndexTableHeader.read(&c)
            try atEnd(c, "header")
            return h
        }

        // symbols
        c = cursor(1)
        let symbols = try IndexFormatError.reading("symbols") { () throws -> [String] in
            let n = try count(&c, max: min(IndexLayout.maxSymbols, c.remaining), "symbol count")
            var out: [String] = []
            out.reserveCapacity(n)
            var previous: UnsafeRawBufferPointer?
            for i in 0..<n {
                let r = try c.range(c.length(max: IndexLayout.maxSymbolBytes, "symbol \(i)"), "symbol \(i)")
                let b = UnsafeRawBufferPointer(rebasing: c.bytes[r])
                if let p = previous, !p.lexicographicallyPrecedes(b) {
                    throw IndexFormatError(.malformed, section: "symbols", "symbol \(i) is not after symbol \(i - 1) in byte order")
                }
                previous = b
                out.append(String(decoding: b, as: UTF8.self))
            }
            try atEnd(c, "symbols")
            return out
        }

        // series and their offsets
        c = cursor(2)
        let offsets = try IndexFormatError.reading("series") { () throws -> [Int] in
            let n = try count(&c, max: min(IndexLayout.maxSeries, c.remaining / 10), "series count")
            guard n == header.seriesCount else {
                throw IndexFormatError(.malformed, section: "series", "\(n) series, the header says \(header.seriesCount)")
            }
            var offsets: [Int] = []
            offsets.reserveCapacity(n)
            var chunkTotal = 0, byteTotal = 0
            var previous: LabelSet?
            for i in 0..<n {
                offsets.append(c.offset)
                let s = try decodeSeries(&c, symbols: symbols, chunks: true, section: "series \(i)")
                if let p = previous, !IndexedSeries.ordered(p, s.labels) {
                    throw IndexFormatError(.malformed, section: "series \(i)", "labels \(s.labels.canonical) are not after \(p.canonical)")
                }
                previous = s.labels
                chunkTotal += s.chunks.count
                byteTotal += s.chunks.reduce(0) { $0 + $1.size }
            }
            guard chunkTotal == header.chunkCount, byteTotal == header.chunkBytes else {
                throw IndexFormatError(.malformed, section: "series", "\(chunkTotal) chunks of \(byteTotal) bytes, the header says \(header.chunkCount) of \(header.chunkBytes)")
            }
            for i in 0..<n {
                guard try c.u64le("offset of series \(i)") == UInt64(offsets[i]) else {
                    throw IndexFormatError(.malformed, section: "series", "offset of series \(i) does not point at it")
                }
            }
            try atEnd(c, "series")
            return offsets
        }

        // postings
        c = cursor(3)
        let postings = try IndexFormatError.reading("postings") { () throws -> [String: [(value: String, ids: [UInt32])]] in
            var out: [String: [(value: String, ids: [UInt32])]] = [:]
            let names = try count(&c, max: symbols.count, "name count")
            var previousName = -1
            for _ in 0..<names {
                let name = try symbol(&c, symbols, after: previousName, "posting name")
                previousName = name
                let values = try count(&c, max: symbols.count, "value count")
                var previousValue = -1
                var list: [(value: String, ids: [UInt32])] = []
                list.reserveCapacity(values)
                for _ in 0..<values {
                    let value = try symbol(&c, symbols, after: previousValue, "posting value")
                    previousValue = value
                    let n = try count(&c, max: offsets.count, "posting length")
                    var ids: [UInt32] = []
                    ids.reserveCapacity(n)
                    var id = -1
                    for _ in 0..<n {
                        let delta = try c.uvarint("series id delta")
                        guard delta < UInt64(offsets.count), id + 1 + Int(delta) < offsets.count else {
                            throw IndexFormatError(.malformed, section: "postings", "series id beyond the \(offsets.count) series")
                        }
                        id += 1 + Int(delta)
                        ids.append(UInt32(id))
                    }
                    list.append((symbols[value], ids))
                }
                out[symbols[name]] = list
            }
            try atEnd(c, "postings")
            return out
        }
        return Parsed(version: version, header: header, checksum: stored, symbols: symbols, offsets: offsets,
                      seriesSection: sections[2], postings: postings)
    }

    static func decodeSeries(_ c: inout ByteCursor, symbols: [String], chunks: Bool, section: String) throws(IndexFormatError) -> IndexedSeries {
        try IndexFormatError.reading(section) { () throws -> IndexedSeries in
            let n = try count(&c, max: IndexLayout.maxLabelsPerSeries, "label count")
            var labels: [Label] = []
            labels.reserveCapacity(n)
            for _ in 0..<n {
                let name = try c.uvarint("label name")
                let value = try c.uvarint("label value")
                guard name < UInt64(symbols.count), value < UInt64(symbols.count) else {
                    throw IndexFormatError(.malformed, section: section, "label refers to a symbol beyond the \(symbols.count) symbols")
                }
                if let last = labels.last, !last.name.utf8.lexicographicallyPrecedes(symbols[Int(name)].utf8) {
                    throw IndexFormatError(.malformed, section: section, "label names are not sorted and distinct")
                }
                labels.append(Label(symbols[Int(name)], symbols[Int(value)]))
            }
            let m = try count(&c, max: min(IndexLayout.maxChunksPerSeries, c.remaining / 41), "chunk count")
            var list: [IndexedChunk] = []
            if chunks { list.reserveCapacity(m) }
            var previous: IndexedChunk?
            for _ in 0..<m {
                let chunk = IndexedChunk(
                    minTime: Int64(bitPattern: try c.u64le("min time")), maxTime: Int64(bitPattern: try c.u64le("max time")),
                    minLSN: try c.u64le("min LSN"), maxLSN: try c.u64le("max LSN"),
                    entries: try count(&c, max: Int(Int32.max), "entries"), rawBytes: try count(&c, max: Int.max / 2, "raw bytes"),
                    size: try count(&c, max: Int.max / 2, "size"), checksum: try c.u32le("checksum"), encoding: try c.u8("encoding"))
                guard chunk.minTime <= chunk.maxTime, chunk.minLSN <= chunk.maxLSN else {
                    throw IndexFormatError(.malformed, section: section, "a chunk's range runs backwards")
                }
                if let p = previous, !IndexedChunk.ordered(p, chunk) {
                    throw IndexFormatError(.malformed, section: section, "chunks are not sorted by time")
                }
                previous = chunk
                if chunks { list.append(chunk) }
            }
            // LabelSet sorts by name; the names were checked sorted, so its order is the stored one.
            return IndexedSeries(labels: LabelSet(labels), chunks: list)
        }
    }

    static func count(_ c: inout ByteCursor, max: Int, _ what: String) throws -> Int {
        let v = try c.uvarint(what)
        guard v <= UInt64(max) else { throw IndexFormatError(.malformed, section: what, "\(what) \(v) exceeds \(max)") }
        return Int(v)
    }

    static func symbol(_ c: inout ByteCursor, _ symbols: [String], after previous: Int, _ what: String) throws -> Int {
        let v = try c.uvarint(what)
        guard v < UInt64(symbols.count), Int(v) > previous else {
            throw IndexFormatError(.malformed, section: "postings", "\(what) \(v) is out of range or out of order")
        }
        return Int(v)
    }

    static func atEnd(_ c: ByteCursor, _ section: String) throws {
        guard c.isAtEnd else { throw IndexFormatError(.malformed, section: section, "\(c.remaining) bytes left over") }
    }
}

func hex(_ v: UInt32) -> String { hexDigits(UInt64(v), width: 8) }
