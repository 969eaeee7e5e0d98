import Foundation
import Logging
import ServiceLifecycle
import WritePath

/// Reloads the per-tenant overrides file (`runtime_config.file`) every `runtime_config.period`.
/// A bad file is logged and the previous overrides stay in force.
struct RuntimeConfigService: Service {
    let path: String
    let period: Int64
    let overrides: Overrides
    let logger: Logger

    /// Loads once; used at startup (where a bad file is an error) and by each reload.
    static func load(path: String, overrides: Overrides) throws -> Int {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigError("cannot read runtime config file \(path)")
        }
        let parsed = try ConfigLoader.parseOverrides(text, defaults: overrides.defaults)
        overrides.replaceTenantOverrides(parsed)
        return parsed.count
    }

    func run() async throws {
        guard !path.isEmpty else {
            // Nothing to reload; a service that returns early would end the whole group.
            try? await gracefulShutdown()
            return
        }
        var lastError = ""
        while !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown {
                    try await Task.sleep(nanoseconds: UInt64(max(period, 1_000_000_000)))
                }
            } catch { return }
            do {
                _ = try RuntimeConfigService.load(path: path, overrides: overrides)
                lastError = ""
            } catch {
                let text = "\(error)"
                if text != lastError {
                    logger.error("runtime config reload failed; keeping the previous overrides", metadata: ["file": "\(path)", "error": "\(text)"])
                    lastError = text
                }
            }
        }
    }
}
