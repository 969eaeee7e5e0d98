import LogModel
import Testing
@testable import WritePath

@Suite struct HeadIndexTests {
    func labels(_ s: String) -> LabelSet { try! LabelParser.parse(s) }

    @Test func selectsByPostingsAndForgetsRemovedStreams() throws {
        var idx = HeadIndex()
        let sets = [#"{app="api", env="prod"}"#, #"{app="api", env="dev"}"#, #"{app="web"}"#].map(labels)
        for s in sets { idx.insert(s.canonical, s) }
        let byKey = Dictionary(uniqueKeysWithValues: sets.map { ($0.canonical, $0) })
        func select(_ selector: String) throws -> Set<String> {
            Set(idx.select(try SelectorParser.parse(selector), all: { Array(byKey.keys) }, labels: { byKey[$0] }))
        }
        #expect(try select(#"{app="api"}"#) == [sets[0].canonical, sets[1].canonical])
        #expect(try select(#"{app=~".+", env!="prod"}"#) == [sets[1].canonical, sets[2].canonical])
        #expect(try select(#"{env=~"p.*|d.*", app!~"w.*"}"#) == [sets[0].canonical, sets[1].canonical])
        #expect(try select(#"{app="none"}"#).isEmpty)
        idx.remove(sets[0].canonical, sets[0])
        let remaining = Dictionary(uniqueKeysWithValues: sets.dropFirst().map { ($0.canonical, $0) })
        #expect(Set(idx.select([.equal("env", "prod")], all: { Array(remaining.keys) }, labels: { remaining[$0] })).isEmpty)
        #expect(Set(idx.select([.equal("app", "api")], all: { Array(remaining.keys) }, labels: { remaining[$0] })) == [sets[1].canonical])
    }
}
