public import LogModel

/// One step of a vector aggregation (`sum by (app) (…)`, `topk(3, …)`, `sort_desc(…)`), as Loki
/// computes it: samples grouped by the `by` labels (or all but the `without` ones), then reduced.
enum VectorAggregator {
    static func aggregate(_ a: VectorAggregation, _ vector: [Sample]) -> [Sample] {
        if (a.op == .topk || a.op == .bottomk) && (a.parameter ?? 0) < 1 { return [] }
        let names = a.grouping.labels.sorted()
        var order: [LabelSet] = []
        var groups: [LabelSet: [Sample]] = [:]
        for s in vector {
            let key: LabelSet
            if a.grouping.without {
                key = LabelSet(s.labels.labels.filter { !names.contains($0.name) })
            } else {
                key = LabelSet(s.labels.labels.filter { names.contains($0.name) })
            }
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(s)
        }
        var out: [Sample] = []
        for key in order {
            let members = groups[key]!
            let values = members.map(\.value)
            switch a.op {
            case .sum: out.append(Sample(labels: key, value: values.reduce(0, +)))
            case .avg:
                var mean = values[0], n = 1.0
                for v in values.dropFirst() {
                    n += 1
                    mean += (v - mean) / n
                }
                out.append(Sample(labels: key, value: mean))
            case .max:
                var m = values[0]
                for v in values.dropFirst() where m < v || m.isNaN { m = v }
                out.append(Sample(labels: key, value: m))
            case .min:
                var m = values[0]
                for v in values.dropFirst() where m > v || m.isNaN { m = v }
                out.append(Sample(labels: key, value: m))
            case .count: out.append(Sample(labels: key, value: Double(values.count)))
            case .stddev, .stdvar:
                var n = 0.0, mean = 0.0, aux = 0.0
                for v in values {
                    n += 1
                    let delta = v - mean
                    mean += delta / n
                    aux += delta * (v - mean)
                }
                out.append(Sample(labels: key, value: a.op == .stdvar ? aux / n : (aux / n).squareRoot()))
            case .topk, .sortDesc:
                // Highest first; NaN counts as the lowest. topk keeps k of them.
                let sorted = members.sorted { greater($0.value, $1.value) }
                out += a.op == .topk ? Array(sorted.prefix(a.parameter ?? 0)) : sorted
            case .bottomk, .sort:
                let sorted = members.sorted { greater($1.value, $0.value) }
                out += a.op == .bottomk ? Array(sorted.prefix(a.parameter ?? 0)) : sorted
            }
        }
        return out
    }

    /// `a` ranks above `b` (NaN below everything).
    static func greater(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN { return false }
        if b.isNaN { return true }
        return a > b
    }
}
