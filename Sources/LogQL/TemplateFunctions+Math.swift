import Foundation
public import GoTemplate

/// Sprig's arithmetic as Loki 2.8 ships it (Sprig 3.2.3, cast 1.3.1): integer functions convert
/// anything with `cast.ToInt64` (a string parses with Go's base prefixes; what does not parse is 0),
/// float functions with `cast.ToFloat64`, and `addf`/`subf`/`mulf`/`divf` compute in decimal
/// (16 decimal places for a quotient), so `addf 0.1 0.2` is 0.3.
extension TemplateFunctions {
    static let math: [String: F] = [
        "int": F([.any]) { a, _ in .int(toInt64(a[0])) },
        "float64": F([.any]) { a, _ in .float(toFloat64(a[0])) },
        "add": F([], variadic: .any) { a, _ in .int(a.reduce(Int64(0)) { $0 &+ toInt64($1) }) },
        "sub": F([.any, .any]) { a, _ in .int(toInt64(a[0]) &- toInt64(a[1])) },
        "mul": F([.any], variadic: .any) { a, _ in .int(a.dropFirst().reduce(toInt64(a[0])) { $0 &* toInt64($1) }) },
        "div": F([.any, .any]) { a, _ throws(TemplateError) in
            let d = toInt64(a[1])
            guard d != 0 else { throw TemplateError("runtime error: integer divide by zero") }
            return .int(toInt64(a[0]).dividedReportingOverflow(by: d).partialValue)
        },
        "mod": F([.any, .any]) { a, _ throws(TemplateError) in
            let d = toInt64(a[1])
            guard d != 0 else { throw TemplateError("runtime error: integer divide by zero") }
            return .int(toInt64(a[0]).remainderReportingOverflow(dividingBy: d).partialValue)
        },
        "max": F([.any], variadic: .any) { a, _ in .int(a.map(toInt64).max()!) },
        "min": F([.any], variadic: .any) { a, _ in .int(a.map(toInt64).min()!) },
        "maxf": F([.any], variadic: .any) { a, _ in .float(a.dropFirst().reduce(toFloat64(a[0])) { goMax($0, toFloat64($1)) }) },
        "minf": F([.any], variadic: .any) { a, _ in .float(a.dropFirst().reduce(toFloat64(a[0])) { goMin($0, toFloat64($1)) }) },
        "addf": F([], variadic: .any) { a, _ throws(TemplateError) in .float(try decimal(0, a.map(toFloat64), .add)) },
        "subf": F([.any], variadic: .any) { a, _ throws(TemplateError) in .float(try decimal(toFloat64(a[0]), a.dropFirst().map(toFloat64), .subtract)) },
        "mulf": F([.any], variadic: .any) { a, _ throws(TemplateError) in .float(try decimal(toFloat64(a[0]), a.dropFirst().map(toFloat64), .multiply)) },
        "divf": F([.any], variadic: .any) { a, _ throws(TemplateError) in
            .float(try decimal(toFloat64(a[0]), a.dropFirst().map(toFloat64), .divide))
        },
        "ceil": F([.any]) { a, _ in .float(toFloat64(a[0]).rounded(.up)) },
        "floor": F([.any]) { a, _ in .float(toFloat64(a[0]).rounded(.down)) },
        "round": F([.any, .int], variadic: .float) { a, _ in
            let on = a.count > 2 ? a[2].floatValue : 0.5
            let pow = Foundation.pow(10, Double(a[1].intValue))
            let digit = pow * toFloat64(a[0])
            let frac = digit - digit.rounded(.towardZero)
            return .float((frac >= on ? digit.rounded(.up) : digit.rounded(.down)) / pow)
        },
    ]

    /// Go's `math.Max`/`math.Min` (NaN wins).
    static func goMax(_ x: Double, _ y: Double) -> Double { x.isNaN || y.isNaN ? .nan : Swift.max(x, y) }
    static func goMin(_ x: Double, _ y: Double) -> Double { x.isNaN || y.isNaN ? .nan : Swift.min(x, y) }

    /// `cast.ToInt64` (errors become 0): a float truncates, a string parses as Go's
    /// `strconv.ParseInt(s, 0, 0)`, a bool is 1 or 0.
    static func toInt64(_ v: TemplateValue) -> Int64 {
        switch v {
        case .int(let i): return i
        case .float(let f): return f.isFinite && abs(f) < 9.2e18 ? Int64(f) : .min
        case .bool(let b): return b ? 1 : 0
        case .string(let s): return parseGoInt(s) ?? 0
        default: return 0
        }
    }

    /// `cast.ToFloat64` (errors become 0).
    static func toFloat64(_ v: TemplateValue) -> Double {
        switch v {
        case .int(let i): return Double(i)
        case .float(let f): return f
        case .bool(let b): return b ? 1 : 0
        case .string(let s): return GoFloat.parse(s) ?? 0
        default: return 0
        }
    }

    /// `strconv.ParseInt(s, 0, 64)`: sign, then `0x`, `0o`, `0b` or a leading `0` (octal) prefix;
    /// underscores only between digits of a prefixed number.
    static func parseGoInt(_ s: String) -> Int64? {
        var body = Substring(s)
        var negative = false
        if let f = body.first, f == "+" || f == "-" { negative = f == "-"; body = body.dropFirst() }
        var radix = 10
        let lower = body.lowercased()
        if lower.hasPrefix("0x") { radix = 16; body = body.dropFirst(2) }
        else if lower.hasPrefix("0o") { radix = 8; body = body.dropFirst(2) }
        else if lower.hasPrefix("0b") { radix = 2; body = body.dropFirst(2) }
        else if lower.count > 1, lower.hasPrefix("0") { radix = 8; body = body.dropFirst() }
        var digits = String(body)
        if radix != 10 || s.dropFirst(negative || s.hasPrefix("+") ? 1 : 0).hasPrefix("0") {
            if digits.hasPrefix("_") || digits.hasSuffix("_") || digits.contains("__") { return nil }
            digits = digits.replacingOccurrences(of: "_", with: "")
        }
        guard !digits.isEmpty, let m = UInt64(digits, radix: radix) else { return nil }
        if negative { return m <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- m) : nil }
        return m <= UInt64(Int64.max) ? Int64(m) : nil
    }

    /// Sprig's `execDecimalOp`: each float read as its shortest decimal, folded with `op`, and
    /// the decimal result read back as the nearest float.
    enum DecimalOp { case add, subtract, multiply, divide }

    static func decimal(_ first: Double, _ rest: [Double], _ op: DecimalOp) throws(TemplateError) -> Double {
        func dec(_ f: Double) throws(TemplateError) -> Decimal {
            guard f.isFinite else { throw TemplateError("cannot create a Decimal from \(f.isNaN ? "NaN" : f > 0 ? "+Inf" : "-Inf")") }
            return Decimal(string: String(f)) ?? Decimal(f)
        }
        var acc = try dec(first)
        for r in rest {
            var d = try dec(r)
            switch op {
            case .add: acc += d
            case .subtract: acc -= d
            case .multiply: acc *= d
            case .divide:
                guard !d.isZero else { throw TemplateError("decimal division by zero") }
                var q = Decimal()
                _ = NSDecimalDivide(&q, &acc, &d, .plain)
                NSDecimalRound(&acc, &q, 16, .plain)
            }
        }
        return Double(acc.description) ?? 0
    }
}
