import LogModel

/// A label filter as a pipeline runs it, line by line: held by reference and reached without
/// reference counting (`Pipeline` keeps an unmanaged pointer beside the owning one), its parts
/// read in place. A plain string filter (`level="error"`, `__error__=""`), the usual kind, is
/// matched directly; the others go through `LabelFilterExpr.keeps`.
final class CompiledLabelFilter: Sendable {
    let expr: LabelFilterExpr
    /// Whether `expr` is a single string filter, held in `matcher`.
    private let isString: Bool
    /// Whether that filter reads `__error__`.
    private let readsError: Bool
    /// The string filter (a never-used stand-in when `isString` is false).
    private let matcher: LabelMatcher

    init(_ expr: LabelFilterExpr) {
        self.expr = expr
        if case .string(let m) = expr {
            isString = true
            readsError = m.name == LabelsBuilder.errorLabel
            matcher = m
        } else {
            isString = false
            readsError = false
            matcher = .equal("", "")
        }
    }

    func keeps(_ b: inout LabelsBuilder) -> Bool {
        guard isString else { return expr.keeps(&b) }
        if readsError { return matcher.matches(value: b.error ?? "") }
        return matcher.matches(value: b.get(matcher.name) ?? "")
    }
}
