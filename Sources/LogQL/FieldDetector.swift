public import LogModel

/// What Loki 3's `detected_fields` finds in one line: its fields as `| json` reads them, or, when
/// the line is not JSON, as `| logfmt` reads them (nothing when neither reads it cleanly); and the
/// type a value looks like. Used by the querier over the newest lines of a selector.
public enum FieldDetector {
    /// The parser that read the line (`json` or `logfmt`) and the fields it found, `__error__`
    /// labels excluded; nil when neither parser reads the line without error.
    public static func fields(_ line: [UInt8], streamLabels: LabelSet) -> (parser: String, fields: [Label])? {
        line.withUnsafeBytes { raw in
            var b = LabelsBuilder(streamLabels)
            LineParsers.json(raw, &b)
            if b.error == nil { return ("json", b.added) }
            b = LabelsBuilder(streamLabels)
            var cache = KeyCache()
            LineParsers.logfmt(raw, &b, cache: &cache)
            if b.error == nil, !b.added.isEmpty { return ("logfmt", b.added) }
            return nil
        }
    }

    /// Loki's order of guesses: `int`, `float`, `boolean` (Go's ParseBool words), `duration` (Go's
    /// syntax), `bytes` (`10KB`, `1.5 GiB`), else `string`.
    public static func type(of value: String) -> String {
        if Int64(value) != nil { return "int" }
        if isGoFloat(value) { return "float" }
        if ["1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"].contains(value) { return "boolean" }
        if GoDuration.parse(value) != nil { return "duration" }
        if ByteSize.parse(value) != nil { return "bytes" }
        return "string"
    }

    /// Go's ParseFloat's decimal forms, infinities and NaN (Swift's Double accepts more spellings).
    static func isGoFloat(_ s: String) -> Bool {
        guard let first = s.first, first.isNumber || "+-.".contains(first) || ["inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "nan"].contains(s.lowercased()) else { return false }
        // A hex mantissa needs a `p` exponent in Go.
        let lower = s.lowercased()
        if lower.contains("x") && !lower.contains("p") { return false }
        return Double(s) != nil
    }
}
