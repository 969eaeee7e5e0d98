public import LogModel

/// Turns one worker's lines into samples: runs the pipeline on each line of a stream, extracts its
/// sample and files it under its series in `collector` (per window interval when counting and
/// totalling is enough; only lines inside some window are looked at then).
struct SampleWorker: LineVisitor {
    var collector: SeriesCollector
    var pipeline: Pipeline
    let extractor: SampleExtractor
    let windows: StepWindows
    /// Lines outside every window are dropped before the pipeline (not when it is stateful: it
    /// must see every line).
    let skipEarly: Bool
    /// No pipeline and a sample of 1 per line: a line only counts towards its stream's series.
    let counting: Bool
    private var builder = LabelsBuilder(LabelSet([]))
    /// The series of the stream's lines whose labels the pipeline left alone: looked up once, not
    /// hashed again for every line.
    private var unchanged: Int?
    private var cursor = 0

    init(pipeline: Pipeline, extractor: SampleExtractor, windows: StepWindows, intervals: Int) {
        collector = SeriesCollector(intervals: intervals)
        self.pipeline = pipeline
        self.extractor = extractor
        self.windows = windows
        skipEarly = intervals > 0 && !pipeline.isStateful
        counting = skipEarly && pipeline.isEmpty && extractor.countsLines
    }

    /// Starts a stream.
    mutating func begin(_ labels: LabelSet) {
        builder = LabelsBuilder(labels)
        unchanged = nil
        cursor = 0
    }

    private mutating func streamSeries() -> Int {
        if let u = unchanged { return u }
        let k = collector.series(extractor.labels(LabelsBuilder(builder.base)))
        unchanged = k
        return k
    }

    mutating func whole(minTime: Int64, maxTime: Int64, entries: Int, bytes: Int) -> Bool {
        guard counting, windows.sameInterval(minTime, maxTime) else { return false }
        guard let j = windows.interval(of: minTime) else { return true }
        collector.add(streamSeries(), lines: entries, interval: j)
        return true
    }

    mutating func line(_ ts: Int64, _ line: UnsafeRawBufferPointer) {
        var interval = 0
        if skipEarly {
            guard let j = windows.interval(of: ts, cursor: &cursor) else { return }
            if counting {
                collector.add(streamSeries(), lines: 1, interval: j)
                return
            }
            interval = j
        }
        builder.reset()
        guard let kept = pipeline.run(line, &builder, timestamp: ts),
              let value = extractor.value(lineLength: kept.count(original: line.count), &builder) else { return }
        if collector.intervals > 0 && !skipEarly {
            guard let j = windows.interval(of: ts, cursor: &cursor) else { return }
            interval = j
        }
        let k: Int
        if builder.isUnchanged, let u = unchanged {
            k = u
        } else {
            k = collector.series(extractor.labels(builder))
            if builder.isUnchanged { unchanged = k }
        }
        collector.add(k, t: ts, v: value, interval: interval)
    }
}
