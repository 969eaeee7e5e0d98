public import LogModel
public import Logging
import Codecs
import Metrics
import Synchronization
import WriteAheadLog

/// The front of the write path: decodes a push body, validates every stream and entry with Loki's
/// rules and texts, applies the tenant's ingestion rate limit, and hands what passes to the ingester.
public final class Distributor: Sendable {
    public struct Configuration: Sendable {
        /// `distributor.max_recv_msg_size`: the largest body accepted, before and after decompression
        /// (Loki's default, 100 MB). A compression bomb stops here instead of exhausting memory.
        public var maxRecvMsgSize: Int = 100 << 20
        public init(maxRecvMsgSize: Int = 100 << 20) { self.maxRecvMsgSize = maxRecvMsgSize }
    }

    let config: Configuration
    let ingester: Ingester
    let overrides: Overrides
    let clock: any Clock
    let logger: Logger
    let metrics: DistributorMetrics
    /// Guards the per-tenant rate limiters.
    private let limiters = Mutex<[String: TokenBucket]>([:])
    /// Guards the parsed-labels cache (raw label string → canonical labels), bounded by `labelCacheSize`.
    private let labelCache = Mutex<[String: LabelSet]>([:])
    static let labelCacheSize = 65536

    public init(configuration: Configuration = .init(), ingester: Ingester, overrides: Overrides,
                clock: any Clock = SystemClock(), logger: Logger) {
        self.config = configuration
        self.ingester = ingester
        self.overrides = overrides
        self.clock = clock
        self.logger = logger
        self.metrics = DistributorMetrics()
    }

    /// Decodes a raw push body according to its headers (Loki's rules, see LOKI-CONTRACT.md).
    public func decode(body: [UInt8], contentType: String?, contentEncoding: String?) throws(PushError) -> PushBatch {
        let r = body.withUnsafeBytes { raw in
            Result { () throws(PushError) in try decode(body: raw, contentType: contentType, contentEncoding: contentEncoding) }
        }
        return try r.get()
    }

    /// Decodes a body read in place (the HTTP layer passes its request buffer without copying it).
    public func decode(body: UnsafeRawBufferPointer, contentType: String?, contentEncoding: String?) throws(PushError) -> PushBatch {
        guard let contentType, !contentType.isEmpty else {
            throw PushError(.badRequest, "missing Content-Type header: use application/json or application/x-protobuf")
        }
        guard body.count <= config.maxRecvMsgSize else {
            throw PushError(.tooLarge, "push body of \(body.count) bytes exceeds the limit of \(config.maxRecvMsgSize) bytes (distributor.max_recv_msg_size); send smaller batches")
        }
        var decompressed: [UInt8]?
        let max = config.maxRecvMsgSize
        let (mediaType, encoding) = Self.normalized(contentType: contentType, contentEncoding: contentEncoding)
        guard ["", "identity", "gzip", "x-gzip", "deflate", "snappy"].contains(encoding) else {
            throw PushError(.badRequest, "Content-Encoding \"\(contentEncoding!)\" not supported")
        }
        do throws(CodecError) {
            switch encoding {
            case "gzip", "x-gzip": decompressed = try Deflate.decompress(body, format: .gzip, maxOutput: max)
            case "deflate": decompressed = try Deflate.decompress(body, format: .auto, maxOutput: max)
            case "snappy": decompressed = try Snappy.decompress(body, maxOutput: max)
            default: break
            }
        } catch {
            throw PushError(error.kind == .tooLarge ? .tooLarge : .badRequest, "cannot decompress the push body: \(error)")
        }
        if let d = decompressed {
            let r = d.withUnsafeBytes { raw in
                Result { () throws(PushError) in try decodeMessage(raw, mediaType: mediaType, contentType: contentType) }
            }
            return try r.get()
        }
        return try decodeMessage(body, mediaType: mediaType, contentType: contentType)
    }

    /// The uncompressed-transport body: JSON, or (any other type) snappy-compressed protobuf.
    func decodeMessage(_ raw: UnsafeRawBufferPointer, mediaType: String, contentType: String) throws(PushError) -> PushBatch {
        let max = config.maxRecvMsgSize
        if mediaType == "application/json" {
            do { return try PushJSON.decode(raw) } catch { throw PushError(.badRequest, error.message) }
        }
        // Any other type is protobuf, snappy-compressed (Promtail's format).
        let plain: [UInt8]
        do { plain = try Snappy.decompress(raw, maxOutput: max) } catch {
            throw PushError(error.kind == .tooLarge ? .tooLarge : .badRequest,
                            "cannot decode the protobuf push body (\(contentType) bodies must be snappy-compressed protobuf): \(error)")
        }
        do { return try PushProtobuf.decode(plain) } catch { throw PushError(.badRequest, error.message) }
    }

    /// Whether a body with these headers is snappy-compressed protobuf with no further transport
    /// encoding: the form the log can keep as sent (`push(tenant:batch:body:)`).
    public static func isSnappyProtobuf(contentType: String?, contentEncoding: String?) -> Bool {
        guard let contentType, !contentType.isEmpty else { return false }
        let (mediaType, encoding) = normalized(contentType: contentType, contentEncoding: contentEncoding)
        return (encoding.isEmpty || encoding == "identity") && mediaType != "application/json"
    }

    /// The media type (lowercased, parameters dropped) and the lowercased transport encoding.
    static func normalized(contentType: String, contentEncoding: String?) -> (mediaType: String, encoding: String) {
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return (mediaType, (contentEncoding ?? "").lowercased())
    }

    /// Validates, rate-limits and stores a decoded batch. Returns normally when every entry was
    /// stored; throws `PushError` when some or all were rejected (the valid ones are stored first).
    /// `body`: the snappy-compressed protobuf `batch` was decoded from (see `isSnappyProtobuf`);
    /// when validation keeps every entry unchanged, the log may store it instead of re-encoding.
    public func push(tenant: TenantID, batch: PushBatch, body: [UInt8]? = nil) async throws(PushError) {
        let limits = overrides.limits(for: tenant)
        let now = clock.now()
        metrics.received(tenant: tenant.value, lines: batch.entryCount, bytes: batch.lineBytes)

        var valid = PushBatch(bytes: batch.bytes, streams: [], metadata: batch.metadata)
        var sets: [LabelSet] = []
        var lastError: Rejection?
        // Whether `valid` differs from `batch` by more than canonical labels (then `body` is not it).
        var altered = false
        var discarded: [DiscardReason: (lines: Int, bytes: Int)] = [:]
        func count(_ reason: DiscardReason, lines: Int, bytes: Int) {
            let p = discarded[reason] ?? (0, 0)
            discarded[reason] = (p.lines + lines, p.bytes + bytes)
        }
        func discard(_ r: Rejection, lines: Int, bytes: Int) {
            altered = true
            lastError = r
            count(r.reason, lines: lines, bytes: bytes)
        }
        // Every way out of this function reports what was discarded, once.
        defer { for (r, v) in discarded { metrics.discarded(tenant: tenant.value, reason: r, lines: v.lines, bytes: v.bytes) } }

        for s in batch.streams {
            let labels: LabelSet
            switch validatedLabels(s.labels, limits: limits) {
            case .success(let l): labels = l
            case .failure(let r):
                discard(r, lines: s.entries.count, bytes: s.lineBytes)
                continue
            }
            var keep: [PushEntry] = []
            keep.reserveCapacity(s.entries.count)
            // `increment_duplicate_timestamp`: the timestamp the next entry is compared with.
            var previous = s.entries.first?.timestamp ?? 0
            for var e in s.entries {
                if limits.rejectOldSamples && e.timestamp < now - limits.rejectOldSamplesMaxAge {
                    discard(Rejection(.tooOld, "entry for stream '\(labels.canonical)' has timestamp too old: \(GoTime.rfc3339(e.timestamp)), oldest acceptable timestamp is: \(GoTime.rfc3339(now - limits.rejectOldSamplesMaxAge))"),
                            lines: 1, bytes: e.line.count)
                    continue
                }
                if e.timestamp > now + limits.creationGracePeriod {
                    discard(Rejection(.tooNew, "entry for stream '\(labels.canonical)' has timestamp too new: \(GoTime.rfc3339(e.timestamp))"),
                            lines: 1, bytes: e.line.count)
                    continue
                }
                if limits.maxLineSize > 0 && e.line.count > limits.maxLineSize {
                    if limits.maxLineSizeTruncate {
                        altered = true
                        e.line = e.line.lowerBound..<(e.line.lowerBound + limits.maxLineSize)
                    } else {
                        discard(Rejection(.lineTooLong, "Max entry size '\(limits.maxLineSize)' bytes exceeded for stream '\(labels.canonical)' while adding an entry with length '\(e.line.count)' bytes"),
                                lines: 1, bytes: e.line.count)
                        continue
                    }
                }
                if limits.incrementDuplicateTimestamp, let last = keep.last {
                    // Loki's rule, within one push: a different line at the timestamp of the one
                    // kept before it (or of the last one left as sent) moves 1 ns past that one,
                    // so both are kept; an identical line keeps its timestamp and is deduplicated.
                    if (e.timestamp == previous || e.timestamp == last.timestamp) && batch.line(last) != batch.line(e) {
                        e.timestamp = last.timestamp + 1
                        altered = true
                    } else {
                        previous = e.timestamp
                    }
                }
                keep.append(e)
            }
            if !keep.isEmpty {
                valid.streams.append(PushStream(labels: labels.canonical, entries: keep))
                sets.append(labels)
            } else {
                altered = true // an empty stream: replaying `body` would bring it back
            }
        }

        if !valid.streams.isEmpty && limits.ingestionRateMB > 0 {
            let bytes = valid.lineBytes
            let rate = limits.ingestionRateMB * 1_048_576, burst = max(limits.ingestionBurstSizeMB, limits.ingestionRateMB) * 1_048_576
            let mono = clock.monotonic()
            let ok = limiters.withLock { l -> Bool in
                var b = l[tenant.value] ?? TokenBucket(rate: rate, burst: burst, now: mono)
                b.update(rate: rate, burst: burst)
                let ok = b.allow(bytes, now: mono)
                l[tenant.value] = b
                return ok
            }
            if !ok {
                let lines = valid.entryCount
                count(.rateLimited, lines: lines, bytes: bytes)
                throw PushError(.limited, "Ingestion rate limit exceeded for user \(tenant.value) (limit: \(Int(rate)) bytes/sec) while attempting to ingest '\(lines)' lines totaling '\(bytes)' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased")
            }
        }

        var ingesterError: Rejection?
        if !valid.streams.isEmpty {
            do {
                let outcome = try await ingester.push(tenant: tenant, batch: valid, labelSets: sets, protobufBody: altered ? nil : body)
                ingesterError = outcome.rejections.last
                for (r, v) in outcome.discarded { count(r, lines: v.lines, bytes: v.bytes) }
            } catch let e as LogWriter.WriterError {
                throw PushError(.unavailable, e.description)
            } catch {
                throw PushError(.unavailable, "storing the push failed: \(error)")
            }
        }
        if let r = ingesterError ?? lastError {
            throw PushError(r.isLimit ? .limited : .badRequest, r.message)
        }
    }

    /// Parses (cached) and validates a stream's labels with Loki's rules and messages.
    func validatedLabels(_ raw: String, limits: Limits) -> Result<LabelSet, Rejection> {
        let labels: LabelSet
        if let cached = labelCache.withLock({ $0[raw] }) {
            labels = cached
        } else {
            do {
                labels = try LabelParser.parse(raw)
            } catch {
                return .failure(Rejection(.invalidLabels, "Error parsing labels '\(raw)' with error: \(error.message)"))
            }
        }
        if labels.isEmpty {
            return .failure(Rejection(.missingLabels, "error at least one label pair is required per stream"))
        }
        if labels.count > limits.maxLabelNamesPerSeries {
            return .failure(Rejection(.maxLabelNames, "entry for stream '\(labels.canonical)' has \(labels.count) label names; limit \(limits.maxLabelNamesPerSeries)"))
        }
        for l in labels.labels {
            if l.name.utf8.count > limits.maxLabelNameLength {
                return .failure(Rejection(.labelNameTooLong, "stream '\(labels.canonical)' has label name too long: '\(l.name)'"))
            }
            if l.value.utf8.count > limits.maxLabelValueLength {
                return .failure(Rejection(.labelValueTooLong, "stream '\(labels.canonical)' has label value too long: '\(l.value)'"))
            }
        }
        if let dup = labels.duplicateName {
            return .failure(Rejection(.duplicateLabelNames, "stream '\(labels.canonical)' has duplicate label name: '\(dup)'"))
        }
        labelCache.withLock { c in
            if c.count >= Distributor.labelCacheSize { c.removeAll(keepingCapacity: true) }
            c[raw] = labels
        }
        return .success(labels)
    }
}
