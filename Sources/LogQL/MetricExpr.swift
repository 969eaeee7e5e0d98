public import LogModel

/// A metric query: a tree of range aggregations over log ranges, vector aggregations, binary
/// operations and literals.
public indirect enum MetricExpr: Sendable, Equatable, CustomStringConvertible {
    case range(RangeAggregation)
    case vector(VectorAggregation)
    case binary(BinaryOperation)
    /// A number (`2`, `0.5`); a binary operation of two literals is folded to one at parse time.
    case literal(Double)
    /// `vector(1)`: one series with no labels and this value at every step.
    case constant(Double)
    /// `label_replace(expr, "dst", "repl", "src", "regex")`.
    case labelReplace(LabelReplace)

    public var description: String {
        switch self {
        case .range(let r): r.description
        case .vector(let v): v.description
        case .binary(let b): b.description
        case .literal(let v): GoFloat.formatShortest(v)
        case .constant(let v): "vector(\(GoFloat.formatFixed6(v)))"
        case .labelReplace(let l): l.description
        }
    }

    /// The log ranges the expression reads, left to right.
    public var logRanges: [LogRange] {
        switch self {
        case .range(let r): [r.range]
        case .vector(let v): v.inner.logRanges
        case .binary(let b): b.lhs.logRanges + b.rhs.logRanges
        case .literal, .constant: []
        case .labelReplace(let l): l.inner.logRanges
        }
    }
}

/// `{…} | pipeline | unwrap x [5m] offset 1h`.
public struct LogRange: Sendable, Equatable, CustomStringConvertible {
    public let log: LogQuery
    /// Nanoseconds.
    public let range: Int64
    public let offset: Int64
    public let unwrap: Unwrap?

    public init(log: LogQuery, range: Int64, offset: Int64 = 0, unwrap: Unwrap? = nil) {
        self.log = log
        self.range = range
        self.offset = offset
        self.unwrap = unwrap
    }

    public var description: String {
        var s = log.description
        if let unwrap { s += unwrap.description }
        s += "[" + PromDuration.format(range) + "]"
        if offset != 0 { s += " offset " + TimeParser.formatDuration(offset) }
        return s
    }
}

/// `| unwrap latency`, `| unwrap duration(latency)`, `| unwrap bytes(size)`, with label filters
/// after it (`| __error__=""`).
public struct Unwrap: Sendable, Equatable, CustomStringConvertible {
    public enum Conversion: String, Sendable, Equatable {
        case number = "", duration, durationSeconds = "duration_seconds", bytes
    }

    public let label: String
    public let conversion: Conversion
    public let postFilters: [LabelFilterExpr]

    public init(label: String, conversion: Conversion = .number, postFilters: [LabelFilterExpr] = []) {
        self.label = label
        self.conversion = conversion
        self.postFilters = postFilters
    }

    public var description: String {
        var s = conversion == .number ? " | unwrap \(label)" : " | unwrap \(conversion.rawValue)(\(label))"
        for f in postFilters { s += " | " + f.description }
        return s
    }
}

/// `by (a, b)` or `without (c)`.
public struct Grouping: Sendable, Equatable, CustomStringConvertible {
    public let labels: [String]
    public let without: Bool

    public init(labels: [String], without: Bool) {
        self.labels = labels
        self.without = without
    }

    public var description: String {
        var s = without ? " without " : labels.isEmpty ? "" : " by "
        if !labels.isEmpty { s += "(" + labels.joined(separator: ",") + ")" }
        return s
    }
}

/// `count_over_time({…}[5m])`, `quantile_over_time(0.99, {…} | unwrap x [5m]) by (a)`.
public struct RangeAggregation: Sendable, Equatable, CustomStringConvertible {
    public enum Op: String, Sendable, Equatable, CaseIterable {
        case rate, rateCounter = "rate_counter", countOverTime = "count_over_time", bytesRate = "bytes_rate"
        case bytesOverTime = "bytes_over_time", absentOverTime = "absent_over_time"
        case sumOverTime = "sum_over_time", avgOverTime = "avg_over_time", maxOverTime = "max_over_time"
        case minOverTime = "min_over_time", stddevOverTime = "stddev_over_time", stdvarOverTime = "stdvar_over_time"
        case quantileOverTime = "quantile_over_time", firstOverTime = "first_over_time", lastOverTime = "last_over_time"
    }

    public let op: Op
    public let range: LogRange
    /// `quantile_over_time`'s φ.
    public let parameter: Double?
    public let grouping: Grouping?

    public init(op: Op, range: LogRange, parameter: Double? = nil, grouping: Grouping? = nil) {
        self.op = op
        self.range = range
        self.parameter = parameter
        self.grouping = grouping
    }

    public var description: String {
        var s = op.rawValue + "("
        if let parameter { s += GoFloat.format(parameter) + "," }
        s += range.description + ")"
        if let grouping { s += grouping.description }
        return s
    }
}

/// `sum by (app) (…)`, `topk(5, …)`, `sort_desc(…)`.
public struct VectorAggregation: Sendable, Equatable, CustomStringConvertible {
    public enum Op: String, Sendable, Equatable, CaseIterable {
        case sum, avg, min, max, count, stddev, stdvar, topk, bottomk, sort, sortDesc = "sort_desc"
    }

    public let op: Op
    public let inner: MetricExpr
    /// `topk`/`bottomk`'s k.
    public let parameter: Int?
    public let grouping: Grouping

    public init(op: Op, inner: MetricExpr, parameter: Int? = nil, grouping: Grouping = Grouping(labels: [], without: false)) {
        self.op = op
        self.inner = inner
        self.parameter = parameter
        self.grouping = grouping
    }

    public var description: String {
        var s = op.rawValue + grouping.description + "("
        if let parameter { s += "\(parameter)," }
        return s + inner.description + ")"
    }
}

/// `lhs op rhs` with its modifiers (`bool`, `on (…)`/`ignoring (…)`, `group_left`/`group_right`).
public struct BinaryOperation: Sendable, Equatable, CustomStringConvertible {
    public enum Op: String, Sendable, Equatable {
        case or, and, unless
        case equal = "==", notEqual = "!=", greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<="
        case add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%", power = "^"

        /// Binding strength, loosest first (Loki's and PromQL's table).
        var precedence: Int {
            switch self {
            case .or: 1
            case .and, .unless: 2
            case .equal, .notEqual, .greater, .greaterOrEqual, .less, .lessOrEqual: 3
            case .add, .subtract: 4
            case .multiply, .divide, .modulo: 5
            case .power: 6
            }
        }

        public var isComparison: Bool { precedence == 3 }
        public var isSet: Bool { precedence <= 2 }
    }

    public enum Cardinality: Sendable, Equatable {
        case oneToOne, manyToOne, oneToMany
    }

    /// `on (…)` (`on` true) or `ignoring (…)`; nil when neither was written.
    public struct Matching: Sendable, Equatable {
        public let on: Bool
        public let labels: [String]
        public init(on: Bool, labels: [String]) {
            self.on = on
            self.labels = labels
        }
    }

    public let op: Op
    public let lhs: MetricExpr
    public let rhs: MetricExpr
    public let returnBool: Bool
    public let matching: Matching?
    public let cardinality: Cardinality
    /// The labels named in `group_left (…)`/`group_right (…)`, copied from the "one" side.
    public let include: [String]

    public init(op: Op, lhs: MetricExpr, rhs: MetricExpr, returnBool: Bool = false, matching: Matching? = nil,
                cardinality: Cardinality = .oneToOne, include: [String] = []) {
        self.op = op
        self.lhs = lhs
        self.rhs = rhs
        self.returnBool = returnBool
        self.matching = matching
        self.cardinality = cardinality
        self.include = include
    }

    public var description: String {
        var o = op.rawValue
        if returnBool { o += " bool" }
        if let matching {
            var group = cardinality == .manyToOne ? "group_left" : cardinality == .oneToMany ? "group_right" : ""
            if !include.isEmpty { group += " (" + include.joined(separator: ",") + ")" }
            o += " " + (matching.on ? "on" : "ignoring") + " (" + matching.labels.joined(separator: ",") + ") " + group
        }
        return "(\(lhs) \(o) \(rhs))"
    }
}

/// Either kind of query.
public enum Query: Sendable, Equatable, CustomStringConvertible {
    case log(LogQuery)
    case metric(MetricExpr)

    public var description: String {
        switch self {
        case .log(let q): q.description
        case .metric(let m): m.description
        }
    }
}
