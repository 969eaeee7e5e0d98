public import LogModel

/// One step of a binary operation between vectors or a vector and a literal, as Loki computes it:
/// samples match on all labels (or `on`/`ignoring` ones), one-to-one unless `group_left`/`group_right`;
/// a comparison without `bool` filters (keeping the left value); `and`/`or`/`unless` are set operations.
enum BinaryEvaluator {
    static func evaluate(_ b: BinaryOperation, lhs: () throws(EvaluationError) -> [[Sample]],
                         rhs: () throws(EvaluationError) -> [[Sample]], steps: Int) throws(EvaluationError) -> [[Sample]] {
        if case .literal(let v) = b.lhs {
            return try rhs().map { step in literal(b, v, step, literalOnLeft: true) }
        }
        if case .literal(let v) = b.rhs {
            return try lhs().map { step in literal(b, v, step, literalOnLeft: false) }
        }
        let l = try lhs(), r = try rhs()
        var out: [[Sample]] = []
        out.reserveCapacity(steps)
        for i in 0..<min(l.count, r.count) {
            out.append(try vectors(b, l[i], r[i]))
        }
        return out
    }

    static func literal(_ b: BinaryOperation, _ v: Double, _ vector: [Sample], literalOnLeft: Bool) -> [Sample] {
        var out: [Sample] = []
        for s in vector {
            let (x, y) = literalOnLeft ? (v, s.value) : (s.value, v)
            guard let r = SampleMath.apply(b.op, x, y, filter: !b.returnBool) else { continue }
            // A filtering comparison keeps the left side's value.
            out.append(Sample(labels: s.labels, value: b.op.isComparison && !b.returnBool ? x : r))
        }
        return out
    }

    static func signature(_ s: Sample, _ b: BinaryOperation) -> LabelSet {
        guard let m = b.matching else { return s.labels }
        if m.on { return LabelSet(s.labels.labels.filter { m.labels.contains($0.name) }) }
        return LabelSet(s.labels.labels.filter { !m.labels.contains($0.name) })
    }

    static func vectors(_ b: BinaryOperation, _ lhs: [Sample], _ rhs: [Sample]) throws(EvaluationError) -> [Sample] {
        let ls = lhs.map { signature($0, b) }
        let rs = rhs.map { signature($0, b) }
        switch b.op {
        case .and:
            if lhs.isEmpty || rhs.isEmpty { return [] }
            let right = Set(rs)
            return zip(lhs, ls).filter { right.contains($0.1) }.map(\.0)
        case .or:
            if lhs.isEmpty { return rhs }
            if rhs.isEmpty { return lhs }
            let left = Set(ls)
            return lhs + zip(rhs, rs).filter { !left.contains($0.1) }.map(\.0)
        case .unless:
            if lhs.isEmpty || rhs.isEmpty { return lhs }
            let right = Set(rs)
            return zip(lhs, ls).filter { !right.contains($0.1) }.map(\.0)
        default:
            break
        }
        var (one, many, oneSigs, manySigs) = (rhs, lhs, rs, ls)
        if b.cardinality == .oneToMany { (one, many, oneSigs, manySigs) = (lhs, rhs, ls, rs) }
        var bySig: [LabelSet: Sample] = [:]
        for (s, sig) in zip(one, oneSigs) {
            if bySig[sig] != nil {
                throw EvaluationError("found duplicate series on the \(b.cardinality == .oneToMany ? "left" : "right") hand-side;many-to-many matching not allowed: matching labels must be unique on one side")
            }
            bySig[sig] = s
        }
        var matched: [LabelSet: Set<LabelSet>] = [:]
        var out: [Sample] = []
        for (s, sig) in zip(many, manySigs) {
            guard let o = bySig[sig] else { continue }
            let metric = resultLabels(many: s.labels, one: o.labels, b)
            if b.cardinality == .oneToOne {
                if matched[sig] != nil { throw EvaluationError("multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)") }
                matched[sig] = []
            } else {
                if matched[sig, default: []].contains(metric) { throw EvaluationError("multiple matches for labels: grouping labels must ensure unique matches") }
                matched[sig, default: []].insert(metric)
            }
            let (l, r) = b.cardinality == .oneToMany ? (o, s) : (s, o)
            guard let v = SampleMath.apply(b.op, l.value, r.value, filter: !b.returnBool) else { continue }
            out.append(Sample(labels: metric, value: b.op.isComparison && !b.returnBool ? l.value : v))
        }
        return out
    }

    /// The result's labels: the "many" side's, narrowed to the `on` labels (or without the
    /// `ignoring` ones) for one-to-one matching, plus the `group_x (…)` labels from the "one" side.
    static func resultLabels(many: LabelSet, one: LabelSet, _ b: BinaryOperation) -> LabelSet {
        var labels = many.labels
        if let m = b.matching, b.cardinality == .oneToOne {
            labels = m.on ? labels.filter { m.labels.contains($0.name) } : labels.filter { !m.labels.contains($0.name) }
        }
        for name in b.include {
            labels.removeAll { $0.name == name }
            if let v = one[name], !v.isEmpty { labels.append(Label(name, v)) }
        }
        return LabelSet(labels)
    }
}
