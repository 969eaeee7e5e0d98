/// Why a tool command could not run (not what it found: damage is a finding, reported with exit 1).
public enum ToolError: Error, CustomStringConvertible, Equatable {
    /// The command line is wrong; the help text follows the message.
    case usage(String)
    /// The input could not be read at all (missing directory, unreadable file).
    case input(String)

    public var description: String {
        switch self {
        case .usage(let m): m
        case .input(let m): m
        }
    }
}
