import ChunkFormat
import Codecs
import WriteAheadLog

/// `chunk inspect FILE`: a chunk file's header, its blocks and whether each is intact (checksum,
/// decompression, entries), read with the server's own decoder.
struct ChunkInspection: Encodable {
    struct Block: Encodable {
        var offset: Int
        var length: Int
        var rawLength: Int
        var entries: Int
        var minTime: Int64
        var maxTime: Int64
        var checksum: String
        var damage: String?
    }

    var file: String
    var bytes: Int
    var version: Int = 0
    var encoding = ""
    var tenant = ""
    var labels = ""
    var minLSN: UInt64 = 0
    var maxLSN: UInt64 = 0
    var minTime: Int64 = 0
    var maxTime: Int64 = 0
    var entries = 0
    var rawBytes = 0
    var checksum = ""
    var blocks: [Block] = []
    /// Damage to the file as a whole (unreadable header, index or trailer; file checksum).
    var damage: [String] = []

    var isClean: Bool { damage.isEmpty && blocks.allSatisfy { $0.damage == nil } }

    static func inspect(_ path: String) throws(ToolError) -> ChunkInspection {
        let bytes: [UInt8]
        do { bytes = try DurableFile.read(path) } catch { throw .input("\(error)") }
        var c = ChunkInspection(file: path, bytes: bytes.count)
        let r: ChunkReader
        do {
            r = try ChunkReader(bytes)
        } catch {
            c.damage.append("\(error)")
            return c
        }
        c.version = Int(r.version)
        c.encoding = r.header.encoding.description
        c.tenant = r.header.tenant
        c.labels = r.header.labels
        (c.minLSN, c.maxLSN, c.minTime, c.maxTime) = (r.header.minLSN, r.header.maxLSN, r.header.minTime, r.header.maxTime)
        (c.entries, c.rawBytes) = (r.header.entries, r.header.rawBytes)
        c.checksum = hex(r.checksum)
        do { try r.verifyChecksum() } catch { c.damage.append("\(error)") }
        for (i, m) in r.blocks.enumerated() {
            var b = Block(offset: m.offset, length: m.length, rawLength: m.rawLength, entries: m.entries, minTime: m.minTime, maxTime: m.maxTime, checksum: hex(m.checksum))
            do {
                let entries = try r.entries(ofBlock: i)
                if let bad = entries.first(where: { $0.timestamp < m.minTime || $0.timestamp > m.maxTime }) {
                    b.damage = "entry at \(bad.timestamp) lies outside the block's range \(m.minTime)…\(m.maxTime)"
                }
            } catch {
                b.damage = "\(error)"
            }
            c.blocks.append(b)
        }
        return c
    }

    var text: String {
        var o = "chunk \(file)  \(bytes) bytes\n"
        if version > 0 {
            o += "  version \(version), \(encoding), tenant \(tenant), stream \(labels)\n"
            o += "  \(entries) entries, \(rawBytes) raw bytes, time \(minTime)…\(maxTime), LSN \(minLSN)…\(maxLSN), CRC32C \(checksum)\n"
            o += "\nblocks:\n"
            for (i, b) in blocks.enumerated() {
                o += "  \(i)  offset \(b.offset)  \(b.length) → \(b.rawLength) bytes  \(b.entries) entries  \(b.minTime)…\(b.maxTime)  \(b.damage.map { "DAMAGED: \($0)" } ?? "ok")\n"
            }
        }
        o += "\ndamage:\n"
        let all = damage + blocks.enumerated().compactMap { i, b in b.damage.map { "block \(i): \($0)" } }
        o += all.isEmpty ? "  none\n" : all.map { "  \($0)\n" }.joined()
        return o
    }
}

/// A checksum as messages print it: `0x` and eight hex digits.
func hex(_ v: UInt32) -> String { "0x" + hexDigits(UInt64(v), width: 8) }
