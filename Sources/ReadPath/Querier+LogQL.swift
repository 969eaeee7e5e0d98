public import LogModel
public import LogQL
public import WritePath

extension Querier {
    /// Answers a log query: streams selected with the query's line filters pushed into decoding and,
    /// when the rest of the pipeline can drop lines, with it deciding what counts towards `limit`;
    /// then each chosen line goes through the pipeline and is filed under the labels it produced.
    /// Streams come back sorted by labels, entries in `direction` order.
    public func logQuery(tenant: TenantID, _ query: LogQuery, start: Int64, end: Int64, limit: Int,
                         direction: Direction, deadline: QueryDeadline? = nil) throws(ParseError) -> Selection {
        let filter: LineFilterMatcher
        do { filter = try LineFilterMatcher(query.filters) } catch { throw ParseError(whole: error.description) }
        var pipeline = try Pipeline(query, skipPushedDown: true)
        let head = HeadQuery(matchers: query.matchers, start: start, end: end, limit: limit, direction: direction)
        guard !pipeline.isEmpty else { return select(tenant: tenant, head, filter: filter, deadline: deadline) }
        // A stateful pipeline (`distinct`) cannot judge lines out of order; it runs on the result only.
        let stateful = query.stages.contains { if case .distinct = $0 { true } else { false } }
        var selection = select(tenant: tenant, head, filter: filter, pipeline: stateful ? nil : pipeline, deadline: deadline)
        // Re-run the pipeline in the query's direction across all streams (what `distinct` keeps
        // depends on the order lines are seen), filing each line under its result labels.
        var merged: [(entry: LogEntry, labels: LabelSet)] = []
        for s in selection.streams {
            for e in s.entries { merged.append((e, s.labels)) }
        }
        let before: (LogEntry, LogEntry) -> Bool = direction == .forward ? { $0.timestamp < $1.timestamp } : { $0.timestamp > $1.timestamp }
        if stateful { merged.sort { before($0.entry, $1.entry) } }
        var order: [LabelSet] = []
        var grouped: [LabelSet: [LogEntry]] = [:]
        for (e, labels) in merged {
            var b = LabelsBuilder(labels)
            guard let line = pipeline.process(e.line, &b, timestamp: e.timestamp) else { continue }
            let out = b.labels
            if grouped[out] == nil { order.append(out) }
            grouped[out, default: []].append(LogEntry(timestamp: e.timestamp, line: line, metadata: e.metadata))
        }
        // Lines of several streams filed under one label set are merged into the query's direction.
        let streams = order.map { labels in
            var entries = grouped[labels]!
            if zip(entries, entries.dropFirst()).contains(where: { before($1, $0) }) { entries.sort(by: before) }
            return QueryStream(labels: labels, entries: entries)
        }
        selection.streams = stateful ? limitAcross(streams, head) : sortStreams(streams)
        return selection
    }

    /// The log lines behind a metric query, as a `LogSource` for `MetricEvaluator`; `stats`
    /// counts what its scans read; nothing before `earliest` is read (`max_query_lookback`).
    public func source(tenant: TenantID, stats: QueryStats? = nil, earliest: Int64? = nil) -> some LogSource {
        QuerierSource(querier: self, tenant: tenant, stats: stats, earliest: earliest ?? .min)
    }
}

/// The matching streams in a time range as scans, the query's line filters pushed down.
struct QuerierSource: LogSource {
    let querier: Querier
    let tenant: TenantID
    let stats: QueryStats?
    let earliest: Int64

    func scans(_ query: LogQuery, start: Int64, end: Int64) throws(EvaluationError) -> [any LineScan] {
        let filter: LineFilterMatcher
        do { filter = try LineFilterMatcher(query.filters) } catch { throw EvaluationError(error.description) }
        return querier.scans(tenant: tenant, matchers: query.matchers, start: max(start, earliest), end: max(end, start, earliest), filter: filter,
                              stats: stats).scans
    }
}
