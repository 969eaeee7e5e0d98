import IndexFormat
import LogModel
import Storage
import WriteAheadLog

/// `index inspect DIR`: the newest manifest, every table it lists (opened and checked as a query
/// would: size, checksum and header against the manifest's entry), optionally every series, and —
/// when the chunk directory is there — which indexed chunk files are missing.
struct IndexInspection: Encodable {
    struct Series: Encodable {
        var labels: String
        var chunks: Int
        var minTime: Int64
        var maxTime: Int64
    }

    struct Table: Encodable {
        var path: String
        var tenant: String
        var table: String
        var minTime: Int64
        var maxTime: Int64
        var minLSN: UInt64
        var maxLSN: UInt64
        var series: Int
        var chunks: Int
        var chunkBytes: Int
        var bytes: Int
        var damage: String?
        var missingChunks: [String] = []
        var seriesList: [Series]?
    }

    var directory: String
    var manifest: String?
    var generation: UInt64?
    var chunkDirectory: String?
    var tables: [Table] = []
    /// Table files the manifest does not list (the server deletes them when it opens the index).
    var unlisted: [String] = []
    var damage: [String] = []

    var isClean: Bool {
        damage.isEmpty && tables.allSatisfy { $0.damage == nil && $0.missingChunks.isEmpty }
    }

    static func inspect(_ directory: String, chunkDirectory: String?, listSeries: Bool) throws(ToolError) -> IndexInspection {
        guard DurableFile.size(directory) != nil else { throw .input("\(directory): no such directory (give the index directory, e.g. <path_prefix>/index)") }
        var x = IndexInspection(directory: directory)
        let chunks = chunkDirectory ?? DurableFile.parent(of: directory) + "/chunks"
        if DurableFile.size(chunks) != nil { x.chunkDirectory = chunks }
        let manifests = DurableFile.list(directory).compactMap { n -> (UInt64, String)? in
            guard n.hasPrefix("MANIFEST-"), let g = UInt64(n.dropFirst("MANIFEST-".count), radix: 16) else { return nil }
            return (g, n)
        }.sorted { $0.0 > $1.0 }
        guard let (generation, name) = manifests.first else {
            x.damage.append("no manifest: the server rebuilds the index from the chunk files' headers when it starts")
            return x
        }
        x.manifest = name
        x.generation = generation
        let m: IndexManifest
        do {
            m = try IndexManifest.decode(try DurableFile.read(directory + "/" + name))
        } catch {
            x.damage.append("\(name): \(error) (the server quarantines it and rebuilds the index from the chunk files)")
            return x
        }
        for e in m.tables {
            let h = e.header
            var t = Table(path: e.path, tenant: h.tenant, table: h.tableName, minTime: h.minTime, maxTime: h.maxTime, minLSN: h.minLSN,
                          maxLSN: h.maxLSN, series: h.seriesCount, chunks: h.chunkCount, chunkBytes: h.chunkBytes, bytes: e.size)
            do {
                let bytes = try DurableFile.read(directory + "/" + e.path)
                let table = try IndexTable(bytes)
                if bytes.count != e.size || table.checksum != e.checksum || table.header != h {
                    t.damage = "the file (\(bytes.count) bytes, CRC32C \(hex(table.checksum))) is not the one the manifest lists (\(e.size) bytes, \(hex(e.checksum)))"
                }
                var list: [Series] = []
                for id in 0..<UInt32(table.seriesCount) {
                    let s = try table.series(id)
                    if listSeries {
                        list.append(Series(labels: s.labels.canonical, chunks: s.chunks.count,
                                           minTime: s.chunks.map(\.minTime).min() ?? 0, maxTime: s.chunks.map(\.maxTime).max() ?? 0))
                    }
                    if let dir = x.chunkDirectory {
                        for c in s.chunks {
                            let key = ChunkRef.key(tenant: h.tenant, labels: s.labels.canonical, minTime: c.minTime, maxTime: c.maxTime, checksum: c.checksum)
                            if DurableFile.size(dir + "/" + key) == nil { t.missingChunks.append(key) }
                        }
                    }
                }
                if listSeries { t.seriesList = list }
            } catch {
                t.damage = "\(error)"
            }
            x.tables.append(t)
        }
        let listed = Set(m.tables.map(\.path))
        for tableDir in DurableFile.list(directory) where !tableDir.hasPrefix("MANIFEST-") && tableDir != "quarantine" {
            for tenant in DurableFile.list(directory + "/" + tableDir) {
                for f in DurableFile.list(directory + "/" + tableDir + "/" + tenant) where !listed.contains("\(tableDir)/\(tenant)/\(f)") {
                    x.unlisted.append("\(tableDir)/\(tenant)/\(f)")
                }
            }
        }
        x.unlisted.sort()
        return x
    }

    var text: String {
        var o = "index \(directory)\n"
        if let manifest, let generation { o += "  manifest \(manifest) (generation \(generation)), \(tables.count) tables\n" }
        o += "  chunk files: \(chunkDirectory ?? "not checked (no chunk directory beside the index; give --chunks DIR)")\n"
        o += "\ntables:\n"
        if tables.isEmpty { o += "  none\n" }
        for t in tables {
            o += "  \(t.path)  tenant \(t.tenant)  \(t.table)  \(t.series) series  \(t.chunks) chunks (\(t.chunkBytes) bytes)  time \(t.minTime)…\(t.maxTime)  LSN \(t.minLSN)…\(t.maxLSN)"
            o += t.damage.map { "  DAMAGED: \($0)" } ?? "  ok"
            o += "\n"
            for k in t.missingChunks { o += "    missing chunk file \(k)\n" }
            for s in t.seriesList ?? [] { o += "    \(s.labels)  \(s.chunks) chunks  \(s.minTime)…\(s.maxTime)\n" }
        }
        if !unlisted.isEmpty { o += "\nunlisted table files (deleted when the server opens the index):\n" + unlisted.map { "  \($0)\n" }.joined() }
        o += "\ndamage:\n"
        let all = damage + tables.compactMap { t in t.damage.map { "\(t.path): \($0)" } } + tables.flatMap { t in t.missingChunks.map { "\(t.path): chunk file \($0) is missing" } }
        o += all.isEmpty ? "  none\n" : all.map { "  \($0)\n" }.joined()
        return o
    }
}
