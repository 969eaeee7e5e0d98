import HTTPTypes
import Hummingbird
import LogModel

/// Resolves a request's tenant: `X-Scope-OrgID` when `auth_enabled`, else `fake` (Loki's rule).
struct Tenancy: Sendable {
    let authEnabled: Bool
    static let header = HTTPField.Name("X-Scope-OrgID")!

    enum Failure: Error {
        case missing
        case invalid(String)
    }

    func tenant(_ request: Request) -> Result<TenantID, Failure> { tenant(request.headers) }

    func tenant(_ headers: HTTPFields) -> Result<TenantID, Failure> {
        guard authEnabled else { return .success(.fake) }
        guard let raw = headers[Tenancy.header], !raw.isEmpty else { return .failure(.missing) }
        do throws(TenantID.ValidationError) { return .success(try TenantID(raw)) } catch { return .failure(.invalid(error.message)) }
    }

    /// 401 for a missing or invalid org id, as Loki answers.
    static func response(_ f: Failure) -> Response {
        switch f {
        case .missing: HTTPResponses.text(.unauthorized, "no org id")
        case .invalid(let m): HTTPResponses.text(.unauthorized, m)
        }
    }
}
