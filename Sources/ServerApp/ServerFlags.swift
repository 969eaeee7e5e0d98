/// Loki-style command-line flags: single dash, `-name=value` or `-name value`; `--name` works too.
public struct ServerFlags: Sendable {
    public var configFile: String?
    public var expandEnv = false
    public var target = "all"
    public var verifyConfig = false
    public var printConfigStderr = false
    public var logLevel: String?
    public var httpListenPort: Int?
    public var httpListenAddress: String?
    public var help = false
    public var version = false

    /// Every flag with its help text (`-help` prints this table).
    public static let table: [(String, String)] = [
        ("config.file", "Configuration file to load (YAML, Loki's keys). Without it: the embedded default (port 3100, ./data)."),
        ("config.expand-env", "Expand ${VAR} and ${VAR:-default} in the config file from the environment (true|false)."),
        ("target", "Components to run: all (default; ingest, queries and the compactor), or compactor (only the compactor and the delete API, on a volume no other server uses)."),
        ("verify-config", "Load and check the config, print its warnings and errors, exit 0 if usable, 1 if not."),
        ("print-config-stderr", "Print the effective configuration to stderr at startup."),
        ("log.level", "Only log messages at or above this level: debug, info, warn, error (overrides server.log_level)."),
        ("server.http-listen-port", "HTTP port (overrides server.http_listen_port; 0 picks a free port)."),
        ("server.http-listen-address", "HTTP listen address (overrides server.http_listen_address)."),
        ("version", "Print the version and exit."),
        ("help", "Print this help and exit."),
    ]

    public struct Invalid: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    public static func parse(_ args: [String]) throws(Invalid) -> ServerFlags {
        var f = ServerFlags()
        var i = 0
        func bool(_ v: String?, _ name: String) throws(Invalid) -> Bool {
            guard let v else { return true }
            switch v.lowercased() {
            case "true", "1", "t": return true
            case "false", "0", "f": return false
            default: throw Invalid(message: "invalid boolean value \"\(v)\" for -\(name)")
            }
        }
        while i < args.count {
            var a = args[i]
            i += 1
            guard a.hasPrefix("-") else { throw Invalid(message: "unexpected argument \"\(a)\"; flags start with -, see -help") }
            a.removeFirst()
            if a.hasPrefix("-") { a.removeFirst() }
            var name = a
            var value: String?
            if let eq = a.firstIndex(of: "=") {
                name = String(a[..<eq])
                value = String(a[a.index(after: eq)...])
            }
            guard ServerFlags.table.contains(where: { $0.0 == name }) || name == "h" else {
                throw Invalid(message: "flag provided but not defined: -\(name) (see -help)")
            }
            let isBool = ["config.expand-env", "verify-config", "print-config-stderr", "help", "h", "version"].contains(name)
            if value == nil && !isBool {
                guard i < args.count else { throw Invalid(message: "flag -\(name) needs a value") }
                value = args[i]
                i += 1
            }
            switch name {
            case "config.file": f.configFile = value
            case "config.expand-env": f.expandEnv = try bool(value, name)
            case "target": f.target = value ?? "all"
            case "verify-config": f.verifyConfig = try bool(value, name)
            case "print-config-stderr": f.printConfigStderr = try bool(value, name)
            case "log.level": f.logLevel = value
            case "server.http-listen-port":
                guard let v = value.flatMap(Int.init), (0...65535).contains(v) else {
                    throw Invalid(message: "invalid value \"\(value ?? "")\" for -server.http-listen-port: want a port 0…65535")
                }
                f.httpListenPort = v
            case "server.http-listen-address": f.httpListenAddress = value
            case "help", "h": f.help = try bool(value, name)
            case "version": f.version = try bool(value, name)
            default: throw Invalid(message: "flag provided but not defined: -\(name) (see -help)")
            }
        }
        if f.target != "all" && f.target != "compactor" && !f.target.split(separator: ",").allSatisfy({ ["all", "write", "read", "ingester", "distributor", "querier"].contains($0) }) {
            throw Invalid(message: "unknown -target \"\(f.target)\": use -target=all (everything) or -target=compactor")
        }
        return f
    }

    public static var helpText: String {
        var s = "Usage of skald:\n"
        for (name, text) in table { s += "  -\(name)\n    \t\(text)\n" }
        return s
    }
}
