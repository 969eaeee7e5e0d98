import GoTemplate

/// A `label_format` entry ready to run: a rename, or a compiled template.
struct CompiledLabelFormat: Sendable {
    let name: String
    let rename: String?
    let template: Template?
}

/// Runs `line_format` and `label_format` templates on one line, as Loki's formatters do: the data
/// is the line's labels (a missing one reads as ""), `__line__` and `__timestamp__` are the line
/// and its time; a template that fails marks the line `TemplateFormatErr` (details: Go's message)
/// and leaves the line and that label alone.
enum LineFormatter {
    static let errorName = "TemplateFormatErr"

    /// The new line, or nil when the template failed (the error is on `labels`).
    static func format(_ t: Template, _ line: UnsafeRawBufferPointer, _ timestamp: Int64, _ labels: inout LabelsBuilder) -> [UInt8]? {
        do {
            return Array(try t.execute(data(for: t, labels), record: record(for: t, line, timestamp)).utf8)
        } catch {
            labels.setError(errorName, details: error.description)
            return nil
        }
    }

    static func formatLabels(_ formats: [CompiledLabelFormat], _ line: UnsafeRawBufferPointer, _ timestamp: Int64, _ labels: inout LabelsBuilder) {
        // Loki reads the labels once, at the first template, after the renames before it.
        var data: TemplateValue?
        for f in formats {
            if let from = f.rename {
                if let v = labels.get(from) {
                    labels.set(f.name, v)
                    labels.delete(from)
                }
                continue
            }
            guard let t = f.template else { continue }
            if data == nil { data = .labels(all(labels)) }
            do {
                labels.set(f.name, try t.execute(data!, record: record(for: t, line, timestamp)))
            } catch {
                labels.setError(errorName, details: error.description)
            }
        }
    }

    /// The labels a template may read: those it names, or all when it reads dot or `$` whole.
    static func data(for t: Template, _ labels: LabelsBuilder) -> TemplateValue {
        if t.readsWholeData { return .labels(all(labels)) }
        var m: [String: String] = [:]
        for name in t.fieldsUsed {
            if let v = value(name, labels) { m[name] = v }
        }
        return .labels(m)
    }

    static func value(_ name: String, _ labels: LabelsBuilder) -> String? {
        switch name {
        case LabelsBuilder.errorLabel: labels.error
        case LabelsBuilder.errorDetailsLabel: labels.errorDetails
        default: labels.get(name)
        }
    }

    static func all(_ labels: LabelsBuilder) -> [String: String] {
        var m: [String: String] = [:]
        for l in labels.visible { m[l.name] = l.value }
        return m
    }

    static func record(for t: Template, _ line: UnsafeRawBufferPointer, _ timestamp: Int64) -> TemplateRecord {
        TemplateRecord(line: t.functionsUsed.contains("__line__") ? String(decoding: line, as: UTF8.self) : "", timestampNanos: timestamp)
    }
}
