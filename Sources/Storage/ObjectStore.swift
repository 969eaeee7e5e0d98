public import ChunkFormat

/// Where chunks live: keys are `/`-separated paths, values immutable byte strings. The filesystem
/// store backs it now (the StatefulSet's volume); an S3-compatible one slots in behind the same seam,
/// and tests inject faults through it.
public protocol ObjectStore: Sendable {
    /// Stores `bytes` under `key` durably before returning (a crash never leaves a partial object).
    func put(_ key: String, _ bytes: [UInt8]) throws
    /// Stores `bytes` under `key`: a reader never sees a partial object, but neither its content
    /// nor its name need be durable before the next `syncPending` — one sync for thousands of
    /// objects instead of one each. For objects that matter only once something durable refers to
    /// them and whose data is also held durably elsewhere until then (chunk files: their records
    /// stay in the log until their index table is written), the referrer calls `syncPending` first.
    /// After a crash such an object may be missing or torn; nothing refers to it.
    ///
    /// The object is given as parts, stored back to back (a chunk file's blocks are written where
    /// they are held, not gathered into one buffer first).
    func putSyncingLater(_ key: String, parts: [[UInt8]]) throws
    /// Makes every object stored with `putSyncingLater` so far durable, content and name.
    func syncPending() throws
    func get(_ key: String) throws -> [UInt8]
    /// An object to read in place (a chunk to query): the filesystem store maps the file instead of
    /// copying it into a fresh buffer. Only for objects never changed in place once stored.
    func open(_ key: String) throws -> ChunkBytes
    /// Keys directly under `prefix/` (not recursive), unsorted.
    func list(_ prefix: String) throws -> [String]
    func size(_ key: String) throws -> Int
    func delete(_ key: String) throws
}

extension ObjectStore {
    public func open(_ key: String) throws -> ChunkBytes { .array(try get(key)) }
}
