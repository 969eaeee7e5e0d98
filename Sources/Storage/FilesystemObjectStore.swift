#if canImport(Glibc)
import Glibc
#endif
public import WriteAheadLog

/// `storage_config.filesystem.directory`: one file per object, written with the crash-safety ritual
/// (tmp → fsync → rename → fsync dir). Leftover `.tmp` files are ignored by `list` and removed by `sweep`.
public struct FilesystemObjectStore: ObjectStore {
    public let root: String

    public init(root: String) throws(DurableFile.IOError) {
        self.root = root
        try DurableFile.createDirectory(root)
    }

    func path(_ key: String) -> String { root + "/" + key }

    public func put(_ key: String, _ bytes: [UInt8]) throws {
        let p = path(key)
        let dir = DurableFile.parent(of: p)
        if DurableFile.size(dir) == nil {
            try DurableFile.createDirectory(dir)
            try DurableFile.syncDirectory(DurableFile.parent(of: dir))
        }
        try DurableFile.writeAtomically(bytes, to: p)
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
