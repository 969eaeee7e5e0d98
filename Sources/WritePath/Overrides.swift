public import LogModel
import Synchronization

/// Per-tenant limits: the defaults from `limits_config`, overridden per tenant by the runtime
/// config file (`runtime_config.file`, reloaded periodically by the server).
public final class Overrides: Sendable {
    struct State {
        var defaults: Limits
        var tenants: [String: Limits]
    }

    /// Guards the defaults and the per-tenant table; readers copy a `Limits` value out.
    private let state: Mutex<State>

    public init(defaults: Limits, tenants: [String: Limits] = [:]) {
        state = Mutex(State(defaults: defaults, tenants: tenants))
    }

    public func limits(for tenant: TenantID) -> Limits {
        state.withLock { $0.tenants[tenant.value] ?? $0.defaults }
    }

    public var defaults: Limits { state.withLock { $0.defaults } }

    /// Replaces the per-tenant table (a runtime config reload).
    public func replaceTenantOverrides(_ tenants: [String: Limits]) {
        state.withLock { $0.tenants = tenants }
    }

    public var tenantOverrides: [String: Limits] { state.withLock { $0.tenants } }
}
