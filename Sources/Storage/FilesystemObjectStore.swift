#if canImport(Glibc)
import Glibc
#endif
import Synchronization
public import WriteAheadLog

/// `storage_config.filesystem.directory`: one file per object, written with the crash-safety ritual
/// (tmp → fsync → rename → fsync dir). Leftover `.tmp` files are ignored by `list` and removed by `sweep`.
public struct FilesystemObjectStore: ObjectStore {
    public let root: String
    /// Directories with renames not yet made durable (`putSyncingNameLater`).
    private let unsyncedDirectories = UnsyncedDirectories()

    final class UnsyncedDirectories: Sendable {
        let set = Mutex<Set<String>>([])
    }

    public init(root: String) throws(DurableFile.IOError) {
        self.root = root
        try DurableFile.createDirectory(root)
    }

    func path(_ key: String) -> String { root + "/" + key }

    public func put(_ key: String, _ bytes: [UInt8]) throws {
        try write(key, bytes, syncDirectory: true)
    }

    /// tmp → fsync → rename; the directory's fsync waits for `syncNames` (one per directory then,
    /// instead of one per chunk: half the fsyncs of a flush).
    public func putSyncingNameLater(_ key: String, _ bytes: [UInt8]) throws {
        let dir = try write(key, bytes, syncDirectory: false)
        unsyncedDirectories.set.withLock { _ = $0.insert(dir) }
    }

    /// Writes one object with the crash-safety ritual, creating (durably) its directory first;
    /// returns that directory.
    @discardableResult
    private func write(_ key: String, _ bytes: [UInt8], syncDirectory: Bool) throws -> String {
        let p = path(key)
        let dir = DurableFile.parent(of: p)
        if DurableFile.size(dir) == nil {
            try DurableFile.createDirectory(dir)
            try DurableFile.syncDirectory(DurableFile.parent(of: dir))
        }
        try DurableFile.writeAtomically(bytes, to: p, syncDirectory: syncDirectory)
        return dir
    }

    public func syncNames() throws {
        let dirs = unsyncedDirectories.set.withLock { s in defer { s = [] }; return s }
        do {
            for d in dirs { try DurableFile.syncDirectory(d) }
        } catch {
            unsyncedDirectories.set.withLock { $0.formUnion(dirs) } // retried at the next call
            throw error
        }
    }

    public func get(_ key: String) throws -> [UInt8] { try DurableFile.read(path(key)) }

    public func getPrefix(_ key: String, count: Int) throws -> [UInt8] { try DurableFile.read(path(key), limit: count) }

    public func list(_ prefix: String) throws -> [String] {
        DurableFile.list(path(prefix)).filter { !$0.hasSuffix(".tmp") }.map { prefix.isEmpty ? $0 : prefix + "/" + $0 }
    }

    public func size(_ key: String) throws -> Int {
        guard let n = DurableFile.size(path(key)) else { throw DurableFile.IOError(path: path(key), operation: "stat", errno: errno) }
        return n
    }

    public func delete(_ key: String) throws {
        let p = path(key)
        guard unlink(p) == 0 || errno == ENOENT else { throw DurableFile.IOError(path: p, operation: "unlink", errno: errno) }
    }
}
