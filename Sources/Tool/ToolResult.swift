/// What a command printed and its exit status: 0 done and sound, 1 damage found (or left), 2 the
/// command could not run (usage, unreadable input).
public struct ToolResult: Sendable, Equatable {
    public var out: String
    public var err: String
    public var status: Int32

    public init(out: String = "", err: String = "", status: Int32 = 0) {
        self.out = out
        self.err = err
        self.status = status
    }
}
