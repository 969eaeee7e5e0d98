import LogModel

/// Reading a label's text as a number, a Go duration or a byte size — the conversions label filters
/// and `unwrap` share — and Go's words for a text that is none (what `__error_details__` says).
enum LabelValue {
    static func number(_ text: String) -> Double? { GoFloat.parse(text) }
    static func duration(_ text: String) -> Int64? { GoDuration.parse(text) }
    static func bytes(_ text: String) -> UInt64? { ByteSize.parse(text) }

    /// `strconv.ParseFloat`'s complaint (Loki reports size failures in the same words).
    static func notNumber(_ text: String) -> String { "strconv.ParseFloat: parsing \(GoQuote.quote(text)): invalid syntax" }
    static func notDuration(_ text: String) -> String { "time: invalid duration \(GoQuote.quote(text))" }
}
