#if canImport(Glibc)
import Glibc
#endif
public import Storage
public import Synchronization
import WriteAheadLog

/// An object store that fails every write while `failing` is set (a full or broken volume).
public final class FlakyStore: ObjectStore, Sendable {
    public let inner: FilesystemObjectStore
    public let failing = Atomic<Bool>(false)
    public let puts = Atomic<Int>(0)
    /// When ≥ 0: writes fail once this many more have succeeded (a crash part-way through a job).
    public let failAfter = Atomic<Int>(-1)
    public init(root: String) throws { inner = try FilesystemObjectStore(root: root) }
    public func put(_ key: String, _ bytes: [UInt8]) throws {
        let left = failAfter.load(ordering: .relaxed)
        if left == 0 { failing.store(true, ordering: .relaxed) } else if left > 0 { failAfter.store(left - 1, ordering: .relaxed) }
        if failing.load(ordering: .relaxed) { throw DurableFile.IOError(path: key, operation: "write", errno: ENOSPC) }
        puts.add(1, ordering: .relaxed)
        try inner.put(key, bytes)
    }
    /// Objects stored with `putSyncingLater` and not yet made durable by `syncPending`.
    public let unsynced = Atomic<Int>(0)
    public func putSyncingLater(_ key: String, parts: [[UInt8]]) throws {
        if failing.load(ordering: .relaxed) { throw DurableFile.IOError(path: key, operation: "write", errno: ENOSPC) }
        puts.add(1, ordering: .relaxed)
        try inner.putSyncingLater(key, parts: parts)
        unsynced.add(1, ordering: .relaxed)
    }
    public func syncPending() throws {
        if failing.load(ordering: .relaxed) { throw DurableFile.IOError(path: inner.root, operation: "syncfs", errno: EIO) }
        try inner.syncPending()
        unsynced.store(0, ordering: .relaxed)
    }
    public func get(_ key: String) throws -> [UInt8] { try inner.get(key) }
    public func list(_ prefix: String) throws -> [String] { try inner.list(prefix) }
    public func size(_ key: String) throws -> Int { try inner.size(key) }
    public func delete(_ key: String) throws { try inner.delete(key) }
}

