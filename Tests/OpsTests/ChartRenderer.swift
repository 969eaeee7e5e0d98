import Foundation
import GoTemplate
import LogQL
import Yams

/// Renders ops/helm/skald as `helm template` would, for the chart's validation where Helm is not
/// installed (nothing fetched at test time): each template through Go's text/template (Skald's own
/// `GoTemplate`, with Loki's sprig subset) plus the Helm functions the chart calls — `toYaml`,
/// `quote`, `sha256sum` — over `.Values` (values.yaml deep-merged with an override file, as
/// `-f` does), `.Release` and `.Chart`; `<no value>` prints as nothing and empty documents are
/// dropped, as in Helm. The chart keeps to this subset (no `define`/`include`), which the tests
/// check by rendering every template.
struct ChartRenderer {
    let chart: URL

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Every template's documents, as one YAML stream per template file.
    func render(overrides: String? = nil, release: String = "skald", namespace: String = "skald") throws -> [(template: String, yaml: String)] {
        var values = try Self.yamlMap(String(contentsOf: chart.appendingPathComponent("values.yaml"), encoding: .utf8))
        if let overrides { values = Self.merge(values, try Self.yamlMap(overrides)) }
        let meta = try Self.yamlMap(String(contentsOf: chart.appendingPathComponent("Chart.yaml"), encoding: .utf8))
        let data: TemplateValue = .map([
            "Values": Self.value(values),
            "Release": .map(["Name": .string(release), "Namespace": .string(namespace), "Service": .string("Helm")]),
            "Chart": .map(["Name": Self.value(meta["name"]), "Version": Self.value(meta["version"]), "AppVersion": Self.value(meta["appVersion"])]),
        ])
        var functions = TemplateFunctions.all
        functions["toYaml"] = TemplateFunction([.any]) { a, _ in .string(Self.toYaml(a[0])) }
        functions["quote"] = TemplateFunction([], variadic: .any) { a, _ in
            .string(a.filter { $0 != .missing }.map { "\"" + $0.printed.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }.joined(separator: " "))
        }
        functions["sha256sum"] = TemplateFunction([.string]) { a, _ in .string(SHA256.hex(Array(a[0].printed.utf8))) }
        let dir = chart.appendingPathComponent("templates")
        var out: [(String, String)] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() where name.hasSuffix(".yaml") {
            let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            do {
                let t = try Template(name: name, text: text, functions: functions)
                let rendered = try t.execute(data).replacingOccurrences(of: "<no value>", with: "")
                let docs = rendered.components(separatedBy: "\n---").filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
                if !docs.isEmpty { out.append((name, docs.joined(separator: "\n---"))) }
            } catch {
                throw Failure(description: "templates/\(name): \(error)")
            }
        }
        return out
    }

    static func yamlMap(_ text: String) throws -> [String: Any] {
        guard let m = try Yams.load(yaml: text) as? [String: Any] else { throw Failure(description: "not a YAML mapping") }
        return m
    }

    /// Helm's values merge: mappings merged key by key, anything else replaced.
    static func merge(_ base: [String: Any], _ top: [String: Any]) -> [String: Any] {
        var out = base
        for (k, v) in top {
            if let b = base[k] as? [String: Any], let t = v as? [String: Any] { out[k] = merge(b, t) } else { out[k] = v }
        }
        return out
    }

    static func value(_ any: Any?) -> TemplateValue {
        switch any {
        case nil: .missing
        case let b as Bool: .bool(b)
        case let i as Int: .int(Int64(i))
        case let d as Double: .float(d)
        case let s as String: .string(s)
        case let l as [Any]: .list(l.map { value($0) })
        case let m as [String: Any]: .map(m.mapValues { value($0) })
        default: .string("\(any!)")
        }
    }

    static func plain(_ v: TemplateValue) -> Any {
        switch v {
        case .missing: NSNull()
        case .string(let s): s
        case .int(let i): Int(i)
        case .float(let f): f
        case .bool(let b): b
        case .time(let t): "\(t)"
        case .labels(let m): m
        case .map(let m): m.mapValues { plain($0) }
        case .list(let l): l.map { plain($0) }
        }
    }

    /// Helm's `toYaml`: keys sorted, no trailing newline.
    static func toYaml(_ v: TemplateValue) -> String {
        let text = (try? Yams.dump(object: plain(v), width: -1, sortKeys: true)) ?? ""
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }
}
