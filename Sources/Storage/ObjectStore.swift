/// Where chunks live: keys are `/`-separated paths, values immutable byte strings. The filesystem
/// store backs it now (the StatefulSet's volume); an S3-compatible one slots in behind the same seam,
/// and tests inject faults through it.
public protocol ObjectStore: Sendable {
    /// Stores `bytes` under `key` durably before returning (a crash never leaves a partial object).
    func put(_ key: String, _ bytes: [UInt8]) throws
    /// Stores `bytes` under `key`: the object is whole and durable on return, but its name may
    /// only become durable at the next `syncNames` — batching that work across many objects. For
    /// objects that matter only once something durable refers to them (chunk files, before their
    /// index table is written), the referrer calls `syncNames` first.
    func putSyncingNameLater(_ key: String, _ bytes: [UInt8]) throws
    /// Makes the names of every object stored with `putSyncingNameLater` so far durable.
    func syncNames() throws
    func get(_ key: String) throws -> [UInt8]
    /// The first `count` bytes of an object (all of it if shorter).
    func getPrefix(_ key: String, count: Int) throws -> [UInt8]
    /// Keys directly under `prefix/` (not recursive), unsorted.
    func list(_ prefix: String) throws -> [String]
    func size(_ key: String) throws -> Int
    func delete(_ key: String) throws
}
