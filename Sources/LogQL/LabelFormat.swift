public import LogModel

/// One `name=…` of `| label_format`: a rename (`dst=src`) or a template (`dst="{{.a}}-{{.b}}"`).
public struct LabelFormat: Sendable, Equatable, CustomStringConvertible {
    public enum Value: Sendable, Equatable {
        case rename(String)
        case template(String)
    }

    public let name: String
    public let value: Value

    public init(name: String, _ value: Value) {
        self.name = name
        self.value = value
    }

    /// As Loki prints it: `dst=src` or `dst="template"`.
    public var description: String {
        switch value {
        case .rename(let from): name + "=" + from
        case .template(let t): name + "=" + GoQuote.quote(t)
        }
    }
}
