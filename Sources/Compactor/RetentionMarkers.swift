import WriteAheadLog

/// Marker files: chunk keys one compaction pass found should go — taken out of the index by
/// retention or a delete request, or orphans no index lists — to be deleted once the delete delay
/// has passed. `<working dir>/retention/<unix ns>-<count>.marks`, one key per
/// line, written with the crash-safety ritual (a marker is the only record of what to delete).
enum RetentionMarkers {
    static let suffix = ".marks"

    static func write(_ keys: [String], at time: Int64, in directory: String) throws {
        try DurableFile.createDirectory(directory)
        let text = keys.joined(separator: "\n") + "\n"
        try DurableFile.writeAtomically(Array(text.utf8), to: directory + "/\(time)-\(keys.count)" + suffix)
    }

    /// Markers in `directory`, oldest first, with the time in their name; other files are ignored.
    static func list(in directory: String) -> [(time: Int64, path: String)] {
        DurableFile.list(directory).compactMap { name -> (Int64, String)? in
            guard name.hasSuffix(suffix), let dash = name.firstIndex(of: "-"), let t = Int64(name[..<dash]) else { return nil }
            return (t, directory + "/" + name)
        }.sorted { $0.0 < $1.0 }
    }

    /// Every key some marker in `directory` holds.
    static func allKeys(in directory: String) throws -> Set<String> {
        var keys = Set<String>()
        for m in list(in: directory) { keys.formUnion(try read(m.path)) }
        return keys
    }

    /// The keys in a marker; blank lines and anything that is not a chunk key under a tenant are skipped.
    static func read(_ path: String) throws -> [String] {
        String(decoding: try DurableFile.read(path), as: UTF8.self).split(separator: "\n").map(String.init).filter {
            !$0.isEmpty && !$0.hasPrefix("/") && !$0.contains("..") && $0.contains("/")
        }
    }
}
