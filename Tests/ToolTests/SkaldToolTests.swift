import Testing
@testable import Tool

/// The command line: help everywhere, usage errors that name what is wrong, exit status 2.
struct SkaldToolTests {
    @Test func helpForEveryCommand() {
        #expect(SkaldTool.run([]).out.contains("wal inspect DIR"))
        #expect(SkaldTool.run(["--help"]).status == 0)
        for command in SkaldTool.help.keys {
            let words = command.split(separator: " ").map(String.init)
            let r = SkaldTool.run(words + ["--help"])
            #expect(r.status == 0 && r.out.hasPrefix("usage: skald-tool \(command)"), "\(command)")
        }
    }

    @Test func badCommandLines() {
        let unknown = SkaldTool.run(["wal", "explode", "/tmp"])
        #expect(unknown.status == 2 && unknown.err.contains("unknown command \"wal explode\""))
        let flag = SkaldTool.run(["wal", "inspect", "/tmp", "--jsn"])
        #expect(flag.status == 2 && flag.err.contains("unknown flag --jsn") && flag.err.contains("usage: skald-tool wal inspect"))
        let operand = SkaldTool.run(["chunk", "inspect"])
        #expect(operand.status == 2 && operand.err.contains("missing chunk file"))
        let two = SkaldTool.run(["chunk", "inspect", "a", "b"])
        #expect(two.status == 2 && two.err.contains("expected one chunk file, got 2"))
        let value = SkaldTool.run(["wal", "repair", "/tmp", "--backup"])
        #expect(value.status == 2 && value.err.contains("--backup needs a value"))
        let noValue = SkaldTool.run(["wal", "inspect", "/tmp", "--json=yes"])
        #expect(noValue.status == 2 && noValue.err.contains("--json takes no value"))
        #expect(SkaldTool.run(["wal", "inspect", "/definitely/not/here"]).status == 2)
    }
}
