/// skald-agent's command line, Promtail's flag names (`-flag=value` or `-flag value`, one or two dashes).
struct AgentFlags {
    var configFile: String?
    var expandEnv = false
    var clientURL: String?
    var tenantID: String?
    var positionsFile: String?
    var logLevel: String?
    var httpListenPort: Int?
    var checkSyntax = false
    var printVersion = false

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func parse(_ args: [String]) throws -> AgentFlags {
        var f = AgentFlags()
        var i = 0
        while i < args.count {
            var a = args[i]
            guard a.hasPrefix("-") else { throw Failure(description: "unexpected argument \"\(a)\"; flags look like -config.file=promtail.yaml") }
            a = String(a.drop { $0 == "-" })
            var value: String?
            if let eq = a.firstIndex(of: "=") {
                value = String(a[a.index(after: eq)...])
                a = String(a[..<eq])
            }
            func next() throws -> String {
                if let value { return value }
                i += 1
                guard i < args.count else { throw Failure(description: "flag -\(a) needs a value") }
                return args[i]
            }
            func bool() throws -> Bool {
                guard let value else { return true }
                switch value { case "true", "1": return true; case "false", "0": return false
                default: throw Failure(description: "flag -\(a) wants true or false, got \"\(value)\"") }
            }
            switch a {
            case "config.file": f.configFile = try next()
            case "config.expand-env": f.expandEnv = try bool()
            case "client.url": f.clientURL = try next()
            case "client.tenant-id": f.tenantID = try next()
            case "positions.file": f.positionsFile = try next()
            case "log.level": f.logLevel = try next()
            case "server.http-listen-port":
                let v = try next()
                guard let p = Int(v), (0...65535).contains(p) else { throw Failure(description: "flag -server.http-listen-port wants a port number, got \"\(v)\"") }
                f.httpListenPort = p
            case "check-syntax": f.checkSyntax = try bool()
            case "version": f.printVersion = try bool()
            case "h", "help": throw Failure(description: AgentFlags.usage)
            default: throw Failure(description: "unknown flag -\(a)\n\(AgentFlags.usage)")
            }
            i += 1
        }
        return f
    }

    static let usage = """
        usage: skald-agent -config.file=promtail.yaml [flags]
          -config.file FILE            Promtail configuration (YAML)
          -config.expand-env           replace ${VAR} and ${VAR:-default} in the config with environment values
          -client.url URL              push URL of the client: block (e.g. http://skald:3100/loki/api/v1/push)
          -client.tenant-id ID         tenant of the client: block
          -positions.file FILE         positions file (overrides positions.filename)
          -log.level LEVEL             debug, info, warn or error
          -server.http-listen-port N   port of /ready, /metrics and /targets
          -check-syntax                check the config and exit
          -version                     print the version and exit
        """
}
