import Foundation
import Testing
import TestSupport
@testable import Agent
import Relabel

@Suite struct TargetDiscoveryTests {
    @Test func globsWithDoubleStarAndExcludes() throws {
        let dir = TestDirectory()
        for p in ["a/x.log", "a/b/c/y.log", "a/b/z.txt", "a/skip/w.log", "top.log"] {
            let full = dir.path + "/" + p
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: full, contents: Data("x\n".utf8))
        }
        let g = PathGlob(dir.path + "/**/*.log")
        let base = dir.path.replacingOccurrences(of: "//", with: "/")
        #expect(g.expand().map { String($0.dropFirst(base.count + 1)) } == ["a/b/c/y.log", "a/skip/w.log", "a/x.log", "top.log"])
        #expect(PathGlob(dir.path + "/a/*.log").expand().count == 1)
        #expect(PathGlob("/var/log/pods/*uid1/*.log").matches("/var/log/pods/ns_pod_uid1/app/0.log") == false)
        #expect(PathGlob("/var/log/**/0.log").matches("/var/log/0.log"), "** matches no directory too")
        #expect(PathGlob("/var/log/pods/*uid1/*/*.log").matches("/var/log/pods/ns_pod_uid1/app/0.log"))

        var s = AgentConfig.ScrapeConfig()
        s.jobName = "files"
        s.staticConfigs = [.init(targets: ["localhost"], labels: ["__path__": dir.path + "/**/*.log", "__path_exclude__": dir.path + "/a/skip/*", "env": "dev"])]
        let d = try TargetDiscovery(s, hostname: "node-1")
        let files = d.files(for: d.localGroups().groups)
        #expect(files.count == 3)
        #expect(files.allSatisfy { $0.labels["env"] == "dev" && $0.labels["filename"] == $0.path && $0.labels["__path__"] == nil })
    }

    @Test func relabelingHostAndPath() throws {
        let dir = TestDirectory()
        FileManager.default.createFile(atPath: dir.path + "/app.log", contents: Data())
        var s = AgentConfig.ScrapeConfig()
        s.jobName = "j"
        var keep = RelabelRule.Configuration()
        keep.action = .keep
        keep.sourceLabels = ["team"]
        keep.regex = "core"
        s.relabelConfigs = [keep]
        let d = try TargetDiscovery(s, hostname: "node-1")
        let groups: [TargetDiscovery.Group] = [
            .init(targets: ["a"], labels: ["__path__": dir.path + "/app.log", "team": "core"]),
            .init(targets: ["b"], labels: ["__path__": dir.path + "/app.log", "team": "other"]),
            .init(targets: ["c"], labels: ["__path__": dir.path + "/app.log", "team": "core", "__host__": "node-2"]),
            .init(targets: ["d"], labels: ["team": "core"]),
        ]
        let files = d.files(for: groups)
        #expect(files.count == 1, "kept, on this node, with a path")
        #expect(files[0].labels == ["team": "core", "filename": dir.path + "/app.log"])
    }

    @Test func fileDiscoveryReadsJSONAndYAML() throws {
        let dir = TestDirectory()
        try #"[{"targets":["localhost"],"labels":{"__path__":"/x/*.log","app":"a"}}]"#.write(toFile: dir.path + "/t.json", atomically: true, encoding: .utf8)
        try "- targets: [localhost]\n  labels: {app: b}\n".write(toFile: dir.path + "/t.yaml", atomically: true, encoding: .utf8)
        try "- bogus: 1\n".write(toFile: dir.path + "/bad.yml", atomically: true, encoding: .utf8)
        var s = AgentConfig.ScrapeConfig()
        s.jobName = "sd"
        s.fileSDConfigs = [.init(files: [dir.path + "/t.*", dir.path + "/bad.yml"])]
        let (groups, errors) = try TargetDiscovery(s, hostname: "h").localGroups()
        #expect(groups.map { $0.labels["app"] } == ["a", "b"])
        #expect(errors.count == 1)
    }
}
