import Foundation
import Synchronization
import WriteAheadLog

/// The delete requests of every tenant, owned here and kept durable in one file,
/// `<compactor working directory>/delete_requests.json` (docs/format/delete-requests.md), replaced
/// atomically on every change. A cancelled request is removed, as Loki does.
public final class DeleteRequestStore: Sendable {
    public let path: String
    private let state: Mutex<[DeleteRequest]>

    public struct Refusal: Error, CustomStringConvertible {
        public let status: Int
        public let message: String
        public var description: String { message }
    }

    /// The file's layout: `{"requests": [...], "version": 1}`. Files written before the version
    /// field (a bare array of requests) are read as version 1 and rewritten at the next change.
    struct File: Codable {
        var requests: [DeleteRequest]
        var version: Int
    }

    /// The version this build writes and the newest it reads.
    public static let version = 1

    /// Opens (or starts) the file in `directory`. An unreadable file is an error: starting without
    /// the requests would show lines the user asked to delete.
    public init(directory: String) throws {
        path = directory + "/delete_requests.json"
        var loaded: [DeleteRequest] = []
        if DurableFile.size(path) != nil {
            loaded = try Self.decode(try DurableFile.read(path), path: path)
        }
        state = Mutex(loaded)
    }

    static func decode(_ bytes: [UInt8], path: String) throws(Refusal) -> [DeleteRequest] {
        let data = Data(bytes)
        if let legacy = try? JSONDecoder().decode([DeleteRequest].self, from: data) { return legacy }
        struct Versioned: Decodable { var version: Int }
        if let v = try? JSONDecoder().decode(Versioned.self, from: data), v.version > version {
            throw Refusal(status: 500, message: "\(path) is version \(v.version) of the delete-request file, written by a newer Skald; this build reads up to version \(version) — run the newer build on this volume")
        }
        do {
            return try JSONDecoder().decode(File.self, from: data).requests
        } catch {
            throw Refusal(status: 500, message: "\(path) is not a readable delete-request file (\(error)); fix or move it aside — without it deleted lines would show again")
        }
    }

    /// Every request of `tenant`, oldest first.
    public func list(tenant: String) -> [DeleteRequest] {
        state.withLock { $0.filter { $0.tenant == tenant } }
    }

    /// Every request (the compactor's view).
    public var all: [DeleteRequest] { state.withLock { $0 } }

    public func add(_ r: DeleteRequest) throws {
        try change { $0.append(r) }
    }

    /// Cancels `id` of `tenant` if it was received less than `cancelPeriod` ago (and not processed).
    public func cancel(tenant: String, id: String, now: Int64, cancelPeriod: Int64) throws {
        try change { (all: inout [DeleteRequest]) throws in
            guard let i = all.firstIndex(where: { $0.tenant == tenant && $0.requestID == id }) else {
                throw Refusal(status: 404, message: "could not find delete request with given id")
            }
            guard all[i].status == .received, now - all[i].createdAt < cancelPeriod else {
                throw Refusal(status: 400, message: "deletion of request which is in process or already processed is not allowed")
            }
            all.remove(at: i)
        }
    }

    public func markProcessed(_ id: String) throws {
        try change { all in
            for i in all.indices where all[i].requestID == id { all[i].status = .processed }
        }
    }

    /// Applies `edit` and writes the file; memory changes only once the file is durable.
    private func change(_ edit: (inout [DeleteRequest]) throws -> Void) throws {
        try state.withLock { all in
            var next = all
            try edit(&next)
            let e = JSONEncoder()
            e.outputFormatting = [.sortedKeys]
            try DurableFile.createDirectory(DurableFile.parent(of: path))
            try DurableFile.writeAtomically(Array(try e.encode(File(requests: next, version: Self.version))), to: path)
            all = next
        }
    }
}
