/// When the log's appends reach the disk (`ingester.wal.fsync`).
public enum FsyncPolicy: Sendable, Equatable, CustomStringConvertible {
    /// fsync before any push in the group is acknowledged: a 204 means the lines survive power loss.
    case always
    /// fsync every N milliseconds: a 204 means the lines survive a process crash (they are in the
    /// page cache), and at most N ms of acknowledged lines can be lost to power loss.
    case interval(milliseconds: Int)
    /// Never fsync (the OS writes back when it likes): fastest; a power loss can lose acknowledged lines.
    case never

    public var description: String {
        switch self {
        case .always: "always"
        case .interval(let ms): "interval(\(ms)ms)"
        case .never: "never"
        }
    }
}
