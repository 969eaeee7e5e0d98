public import LogModel

/// One value of a series at one step.
public struct Sample: Sendable, Equatable {
    public var labels: LabelSet
    public var value: Double

    public init(labels: LabelSet, value: Double) {
        self.labels = labels
        self.value = value
    }
}

/// A series over the steps of a range query; timestamps in milliseconds, as Loki reports them.
public struct Series: Sendable, Equatable {
    public var labels: LabelSet
    public var points: [(t: Int64, v: Double)]

    public init(labels: LabelSet, points: [(t: Int64, v: Double)]) {
        self.labels = labels
        self.points = points
    }

    public static func == (a: Series, b: Series) -> Bool {
        a.labels == b.labels && a.points.count == b.points.count
            && zip(a.points, b.points).allSatisfy { $0.t == $1.t && ($0.v == $1.v || ($0.v.isNaN && $1.v.isNaN)) }
    }
}

/// What a metric query answers: a scalar (a literal alone), a vector (an instant query) or a
/// matrix (a range query).
public enum MetricResult: Sendable, Equatable {
    case scalar(t: Int64, v: Double)
    case vector(t: Int64, [Sample])
    case matrix([Series])
}

/// Why a metric query could not be answered (Loki's texts; all are the client's 400s).
public struct EvaluationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    /// The query ran past its deadline (Loki answers 504, not 400).
    public let timedOut: Bool
    public init(_ message: String, timedOut: Bool = false) {
        self.message = message
        self.timedOut = timedOut
    }
    public var description: String { message }
}

extension LabelSet {
    /// Prometheus's order of label sets (`labels.Compare`): label by label, name then value, a
    /// prefix first.
    public static func compare(_ a: LabelSet, _ b: LabelSet) -> Bool {
        let x = a.labels, y = b.labels
        for i in 0..<min(x.count, y.count) {
            if x[i].name != y[i].name { return x[i].name.utf8.lexicographicallyPrecedes(y[i].name.utf8) }
            if x[i].value != y[i].value { return x[i].value.utf8.lexicographicallyPrecedes(y[i].value.utf8) }
        }
        return x.count < y.count
    }
}
