/// A minimal JSON emitter for Loki's response shapes, writing bytes directly (no Codable overhead,
/// and exact control of key order, which Grafana depends on). Invalid UTF-8 in log lines is
/// written as U+FFFD, as Go's encoder (and so Loki) does.
struct JSONWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 4096) { bytes.reserveCapacity(capacity) }

    mutating func raw(_ s: String) { bytes.append(contentsOf: s.utf8) }
    mutating func raw(_ c: UInt8) { bytes.append(c) }

    mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { string(bytes: UnsafeRawBufferPointer($0)) }
    }

    mutating func string<C: Collection>(_ c: C) where C.Element == UInt8 {
        if let done = c.withContiguousStorageIfAvailable({ p -> Bool in
            string(bytes: UnsafeRawBufferPointer(p))
            return true
        }), done { return }
        let a = Array(c)
        a.withUnsafeBytes { string(bytes: $0) }
    }

    static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    mutating func string(bytes p: UnsafeRawBufferPointer) {
        bytes.append(0x22)
        var i = 0
        var run = 0
        let n = p.count
        func flush(_ upTo: Int) {
            if upTo > run { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: p[run..<upTo])) }
        }
        while i < n {
            let c = p[i]
            if c >= 0x20 && c != 0x22 && c != 0x5c && c < 0x80 { i += 1; continue }
            if c >= 0x80 {
                let len = JSONWriter.validUTF8Length(p, i)
                if len > 0 { i += len; continue }
                flush(i)
                bytes.append(contentsOf: [0xEF, 0xBF, 0xBD])
                i += 1
                run = i
                continue
            }
            flush(i)
            switch c {
            case 0x22: bytes.append(contentsOf: [0x5c, 0x22])
            case 0x5c: bytes.append(contentsOf: [0x5c, 0x5c])
            case 0x0a: bytes.append(contentsOf: [0x5c, 0x6e])
            case 0x0d: bytes.append(contentsOf: [0x5c, 0x72])
            case 0x09: bytes.append(contentsOf: [0x5c, 0x74])
            default:
                bytes.append(contentsOf: [0x5c, 0x75, 0x30, 0x30, JSONWriter.hex[Int(c >> 4)], JSONWriter.hex[Int(c & 0xf)]])
            }
            i += 1
            run = i
        }
        flush(n)
        bytes.append(0x22)
    }

    /// Length of a valid UTF-8 sequence starting at `i`, or 0 if invalid there.
    static func validUTF8Length(_ p: UnsafeRawBufferPointer, _ i: Int) -> Int {
        let b0 = p[i]
        let n = p.count
        func cont(_ k: Int) -> Bool { i + k < n && p[i + k] & 0xC0 == 0x80 }
        switch b0 {
        case 0xC2...0xDF: return cont(1) ? 2 : 0
        case 0xE0: return cont(1) && p[i + 1] >= 0xA0 && cont(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF: return cont(1) && cont(2) ? 3 : 0
        case 0xED: return cont(1) && p[i + 1] < 0xA0 && cont(2) ? 3 : 0
        case 0xF0: return cont(1) && p[i + 1] >= 0x90 && cont(2) && cont(3) ? 4 : 0
        case 0xF1...0xF3: return cont(1) && cont(2) && cont(3) ? 4 : 0
        case 0xF4: return cont(1) && p[i + 1] < 0x90 && cont(2) && cont(3) ? 4 : 0
        default: return 0
        }
    }

    mutating func stringArray(_ values: [String]) {
        raw(0x5b)
        for (i, v) in values.enumerated() {
            if i > 0 { raw(0x2c) }
            string(v)
        }
        raw(0x5d)
    }
}
