public import Codecs

/// The list of live index tables: the only truth about the index. Rewritten whole, atomically, on
/// every change; a table file it does not list is not part of the index (docs/format/index.md).
public struct IndexManifest: Sendable, Equatable {
    /// One listed table: where it is and what its header says, so lookups can skip it by tenant,
    /// period and time, and replay by LSN, without opening it.
    public struct Entry: Sendable, Equatable {
        /// Relative to the index directory: `<table name>/<tenant>/<file>.skix`.
        public var path: String
        public var header: IndexTableHeader
        public var size: Int
        public var checksum: UInt32

        public init(path: String, header: IndexTableHeader, size: Int, checksum: UInt32) {
            self.path = path
            self.header = header
            self.size = size
            self.checksum = checksum
        }
    }

    /// Increases by one with every manifest written.
    public var generation: UInt64
    public var tables: [Entry]

    public init(generation: UInt64 = 0, tables: [Entry] = []) {
        self.generation = generation
        self.tables = tables
    }

    public func encode() -> [UInt8] {
        var out: [UInt8] = []
        out.append(contentsOf: IndexLayout.manifestMagic)
        out.append(IndexLayout.currentVersion)
        out.append(contentsOf: [0, 0, 0])
        out.appendU64LE(generation)
        out.appendUVarint(UInt64(tables.count))
        for t in tables {
            IndexTableWriter.appendString(t.path, to: &out)
            t.header.append(to: &out)
            out.appendU64LE(UInt64(t.size))
            out.appendU32LE(t.checksum)
        }
        out.appendU32LE(CRC32C.checksum(out))
        return out
    }

    public static func decode(_ bytes: [UInt8]) throws(IndexFormatError) -> IndexManifest {
        let r = bytes.withUnsafeBytes { raw in Result { () throws(IndexFormatError) in try decode(raw) } }
        return try r.get()
    }

    static func decode(_ raw: UnsafeRawBufferPointer) throws(IndexFormatError) -> IndexManifest {
        guard raw.count >= IndexLayout.prefixSize + 8 + 1 + 4, Array(raw[0..<4]) == IndexLayout.manifestMagic else {
            throw IndexFormatError(.notAnIndex, section: "manifest", "not a Skald index manifest (no SKIM magic, or too short)")
        }
        guard IndexLayout.readableVersions.contains(raw[4]) else {
            throw IndexFormatError(.notAnIndex, section: "manifest", "manifest version \(raw[4]) is not readable by this build")
        }
        let stored = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: raw.count - 4, as: UInt32.self))
        let actual = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[..<(raw.count - 4)]))
        guard stored == actual else {
            throw IndexFormatError(.checksum, section: "manifest", "CRC32C is \(hex(actual)), the manifest says \(hex(stored))")
        }
        var c = ByteCursor(UnsafeRawBufferPointer(rebasing: raw[IndexLayout.prefixSize..<(raw.count - 4)]), codec: "index manifest")
        return try IndexFormatError.reading("manifest") { () throws -> IndexManifest in
            let generation = try c.u64le("generation")
            let n = try IndexTable.count(&c, max: min(IndexLayout.maxTables, c.remaining / 50), "table count")
            var tables: [Entry] = []
            tables.reserveCapacity(n)
            for _ in 0..<n {
                let path = try c.string(c.length(max: IndexLayout.maxPathBytes, "path"), "path")
                guard Self.isSafeRelativePath(path) else {
                    throw IndexFormatError(.malformed, section: "manifest", "table path \(path) is not a relative path inside the index directory")
                }
                let h = try IndexTableHeader.read(&c)
                let size = try c.u64le("size")
                guard size <= UInt64(Int.max / 2) else { throw IndexFormatError(.malformed, section: "manifest", "table size \(size) is impossible") }
                tables.append(Entry(path: path, header: h, size: Int(size), checksum: try c.u32le("checksum")))
            }
            try IndexTable.atEnd(c, "manifest")
            return IndexManifest(generation: generation, tables: tables)
        }
    }

    /// No absolute paths, no `..`, no empty components: a manifest can only point inside its directory.
    static func isSafeRelativePath(_ p: String) -> Bool {
        !p.isEmpty && !p.hasPrefix("/") && p.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0 != ".." && $0 != "." }
    }
}
