import LogModel
import Testing

/// Loki's retention precedence, on its documented example (tenant 29's overrides).
struct RetentionStreamTests {
    static let h: Int64 = 3600 * 1_000_000_000

    static func rule(_ s: String, _ priority: Int, _ hours: Int64) throws -> RetentionStream {
        RetentionStream(selector: s, matchers: try SelectorParser.parse(s), priority: priority, period: hours * h)
    }

    @Test(arguments: [
        (#"{namespace="prod", container="loki"}"#, 336), // prod's priority 2 beats loki's 1
        (#"{namespace="dev", container="loki"}"#, 72),
        (#"{namespace="dev", container="nginx"}"#, 168), // no rule: the tenant's retention_period
        (#"{namespace="prod"}"#, 336),
    ] as [(String, Int64)])
    func tenantRulesAndPeriod(_ labels: String, _ hours: Int64) throws {
        var l = Limits()
        l.retentionPeriod = 168 * Self.h
        l.retentionStreams = [try Self.rule(#"{namespace="prod"}"#, 2, 336), try Self.rule(#"{container="loki"}"#, 1, 72)]
        #expect(l.retentionPeriod(for: try LabelParser.parse(labels)) == hours * Self.h)
    }

    @Test func equalPrioritiesTakeTheShortestAndNoRulesKeepForever() throws {
        var l = Limits()
        l.retentionStreams = [try Self.rule(#"{a="1"}"#, 5, 48), try Self.rule(#"{b="2"}"#, 5, 24), try Self.rule(#"{c="3"}"#, 4, 1)]
        #expect(l.retentionPeriod(for: try LabelParser.parse(#"{a="1", b="2", c="3"}"#)) == 24 * Self.h)
        #expect(l.retentionPeriod(for: try LabelParser.parse(#"{c="3"}"#)) == 1 * Self.h)
        #expect(l.retentionPeriod(for: try LabelParser.parse(#"{d="4"}"#)) == 0) // 0: kept for ever
    }
}
