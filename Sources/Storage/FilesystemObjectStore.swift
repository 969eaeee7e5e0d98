#if canImport(Glibc)
import Glibc
#endif
public import ChunkFormat
import Synchronization
public import WriteAheadLog

/// `storage_config.filesystem.directory`: one file per object, written with the crash-safety ritual
/// (tmp → fsync → rename → fsync dir), or for `putSyncingLater` tmp → rename with the syncs
/// batched. Leftover `.tmp` files are ignored by `list` and removed by `sweep`.
public struct FilesystemObjectStore: ObjectStore {
    public let root: String
    /// Objects stored with `putSyncingLater` and not yet made durable by `syncPending`.
    private let unsynced = Unsynced()

    final class Unsynced: Sendable {
        let count = Mutex<Int>(0)
    }

    public init(root: String) throws(DurableFile.IOError) {
        self.root = root
        try DurableFile.createDirectory(root)
    }

    func path(_ key: String) -> String { root + "/" + key }

    public func put(_ key: String, _ bytes: [UInt8]) throws {
        try write(key, [bytes], sync: true)
    }

    /// tmp → rename, writeback started but not waited for; `syncPending` makes every such object
    /// durable with one `syncfs` (under 10,000 streams the flush workers wrote ~400 tiny chunks a
    /// second, and an fsync each was what they spent their time on).
    public func putSyncingLater(_ key: String, parts: [[UInt8]]) throws {
        try write(key, parts, sync: false)
        // Counted once written: a `syncPending` already under way must not take it as synced.
        unsynced.count.withLock { $0 += 1 }
    }

    /// Writes one object, creating (durably) its directory first; with `sync`, durably at once.
    private func write(_ key: String, _ parts: [[UInt8]], sync: Bool) throws {
        let p = path(key)
        let dir = DurableFile.parent(of: p)
        if DurableFile.size(dir) == nil {
            try DurableFile.createDirectory(dir)
            try DurableFile.syncDirectory(DurableFile.parent(of: dir))
        }
        if sync {
            try DurableFile.writeAtomically(parts: parts, to: p)
        } else {
            try DurableFile.writeDeferringSync(parts: parts, to: p)
        }
    }

    public func syncPending() throws {
        let n = unsynced.count.withLock { c in defer { c = 0 }; return c }
        guard n > 0 else { return }
        do {
            try DurableFile.syncFilesystem(root)
        } catch {
            unsynced.count.withLock { $0 += n } // retried at the next call
            throw error
        }
    }

    public func get(_ key: String) throws -> [UInt8] { try DurableFile.read(path(key)) }

    /// Mapped read-only. Objects are only ever replaced by rename and removed by unlink, never
    /// truncated in place, so a mapping stays valid while a query holds it. An empty file is read
    /// (there is nothing to map; the chunk decoder reports it), and so is a file the kernel will not
    /// map (ENOMEM: the process is at `vm.max_map_count`), costing a copy instead of failing the query.
    public func open(_ key: String) throws -> ChunkBytes {
        do {
            guard let m = try MappedFile.map(path(key)) else { return .array(try get(key)) }
            return .region(m)
        } catch let error as DurableFile.IOError where error.operation == "mmap" && error.errno == ENOMEM {
            return .array(try get(key))
        }
    }


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
