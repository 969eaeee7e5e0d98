import Foundation
import Testing
import TestSupport
@testable import Agent

@Suite struct FileTailerTests {
    func append(_ path: String, _ text: String) throws {
        let h = FileHandle(forWritingAtPath: path) ?? { FileManager.default.createFile(atPath: path, contents: nil); return FileHandle(forWritingAtPath: path)! }()
        h.seekToEndOfFile()
        h.write(Data(text.utf8))
        try h.close()
    }

    func texts(_ lines: [FileTailer.Line]) -> [String] { lines.map { String(decoding: $0.bytes, as: UTF8.self) } }

    @Test func completeLinesOnlyAPartialLastLineWaits() throws {
        let dir = TestDirectory()
        let f = dir.path + "/a.log"
        try append(f, "one\ntwo\nthr")
        let t = FileTailer(path: f, offset: 0, maxLineBytes: 1 << 20)
        let first = t.poll()
        #expect(texts(first) == ["one", "two"])
        #expect(first.map(\.end) == [4, 8])
        #expect(t.poll().isEmpty)
        try append(f, "ee\r\nfour\n")
        let next = t.poll()
        #expect(texts(next) == ["three", "four"], "the CR of a CRLF line end is dropped")
        #expect(next.map(\.start) == [8, 15])
        #expect(next.last?.end == 20)
    }

    @Test func resumesAtAnOffsetAndRestartsWhenTheFileIsShorter() throws {
        let dir = TestDirectory()
        let f = dir.path + "/a.log"
        try append(f, "one\ntwo\n")
        #expect(texts(FileTailer(path: f, offset: 4, maxLineBytes: 100).poll()) == ["two"])
        #expect(texts(FileTailer(path: f, offset: 999, maxLineBytes: 100).poll()) == ["one", "two"])
    }

    @Test func followsRenameAndCreateRotation() throws {
        let dir = TestDirectory()
        let f = dir.path + "/a.log"
        try append(f, "old-1\n")
        let t = FileTailer(path: f, offset: 0, maxLineBytes: 100)
        #expect(texts(t.poll()) == ["old-1"])
        try append(f, "old-2\n")
        try FileManager.default.moveItem(atPath: f, toPath: f + ".1")
        try append(f, "new-1\n")
        let lines = t.poll()
        #expect(texts(lines) == ["old-2", "new-1"], "the old file is finished before the new one starts")
        #expect(lines.map(\.generation) == [0, 1])
        #expect(lines.last?.end == 6)
        #expect(t.rotations == 1)
    }

    @Test func noticesCopytruncate() throws {
        let dir = TestDirectory()
        let f = dir.path + "/a.log"
        try append(f, "aaaa\nbbbb\n")
        let t = FileTailer(path: f, offset: 0, maxLineBytes: 100)
        #expect(t.poll().count == 2)
        try Data().write(to: URL(fileURLWithPath: f))  // truncate in place, same inode
        try append(f, "c\n")
        let lines = t.poll()
        #expect(texts(lines) == ["c"])
        #expect(lines[0].generation == 1)
        #expect(t.truncations == 1)
    }

    @Test func cutsLongLinesAndSkipsTheirRest() throws {
        let dir = TestDirectory()
        let f = dir.path + "/a.log"
        try append(f, String(repeating: "x", count: 25) + "\nshort\n" + String(repeating: "y", count: 12))
        let t = FileTailer(path: f, offset: 0, maxLineBytes: 10)
        let lines = t.poll()
        #expect(texts(lines) == [String(repeating: "x", count: 10), "short", String(repeating: "y", count: 10)])
        #expect(lines.map(\.truncated) == [true, false, true])
        try append(f, "yyy\nafter\n")
        #expect(texts(t.poll()) == ["after"], "the rest of the cut line is skipped up to its newline")
        #expect(t.truncatedLines == 2)
    }

    /// Lines are slices of the reads they lie in: written in random pieces (cut mid-line, lines
    /// longer than one read, empty ones) and polled with random limits, every line comes back
    /// whole, in order, with offsets that follow one another.
    @Test func linesAcrossReadsAndPiecesComeBackWhole() throws {
        let dir = TestDirectory()
        let f = dir.path + "/a.log"
        var rng = SystemRandomNumberGenerator()
        var expected: [String] = []
        var text = ""
        for i in 0..<3000 {
            let n = [0, 1, 50, 200, 70_000, 130_000].randomElement(using: &rng)!
            let line = "\(i):" + String(repeating: Character(UnicodeScalar(UInt8(97 + i % 26))), count: i % 40 == 0 ? n : n % 300)
            expected.append(line)
            text += line + "\n"
        }
        let bytes = Array(text.utf8)
        let t = FileTailer(path: f, offset: 0, maxLineBytes: 1 << 20)
        FileManager.default.createFile(atPath: f, contents: nil)
        var got: [FileTailer.Line] = []
        var at = 0
        while at < bytes.count {
            let piece = min(bytes.count - at, Int.random(in: 1...200_000, using: &rng))
            try append(f, String(decoding: bytes[at..<(at + piece)], as: UTF8.self))
            at += piece
            got += t.poll(limit: Int.random(in: 1...300_000, using: &rng))
        }
        while got.count < expected.count, case let more = t.poll(), !more.isEmpty { got += more }
        #expect(texts(got) == expected)
        #expect(got.first?.start == 0)
        #expect(zip(got, got.dropFirst()).allSatisfy { $0.end == $1.start })
        #expect(got.last?.end == Int64(bytes.count))
    }

    @Test func nonUTF8BytesAndAMissingFile() throws {
        let dir = TestDirectory()
        let f = dir.path + "/a.log"
        let t = FileTailer(path: f, offset: 0, maxLineBytes: 100)
        #expect(t.poll().isEmpty, "a file that does not exist yet")
        FileManager.default.createFile(atPath: f, contents: Data([0x61, 0xff, 0xfe, 0x62, 0x0a]))
        let lines = t.poll()
        #expect(lines.count == 1)
        #expect(Array(lines[0].bytes) == [0x61, 0xff, 0xfe, 0x62])
    }
}

@Suite struct FileRotatedWhileStoppedTests {
    @Test func resumesInTheRotatedFileThenTheNewOne() throws {
        let dir = TestDirectory()
        let f = dir.path + "/a.log"
        FileManager.default.createFile(atPath: f, contents: Data("one\ntwo\nthree\n".utf8))
        let saved = try #require(FileIdentity.of(f))
        // Stopped after "one"; meanwhile the file was rotated and a new one begun.
        try FileManager.default.moveItem(atPath: f, toPath: f + ".1")
        FileManager.default.createFile(atPath: f, contents: Data("four\n".utf8))
        let rotated = try #require(TailManager.find(saved, near: f))
        #expect(rotated.hasSuffix("/a.log.1"))
        let t = FileTailer(path: f, offset: 4, maxLineBytes: 100, resumeFrom: rotated)
        let lines = t.poll()
        #expect(lines.map { String(decoding: $0.bytes, as: UTF8.self) } == ["two", "three", "four"])
        #expect(lines.map(\.generation) == [0, 0, 1])
        #expect(lines[0].identity == saved && lines[2].identity != saved)
    }

    @Test func identitiesCountOnlyWithTheirOffset() throws {
        let dir = TestDirectory()
        let path = dir.path + "/p.yaml"
        let p = try PositionsFile(path: path, ignoreInvalid: false)
        p.set("/a", 10, identity: FileIdentity(device: 1, inode: 2))
        p.set("/b", 20, identity: FileIdentity(device: 1, inode: 3))
        try p.save()
        #expect(try PositionsFile(path: path, ignoreInvalid: false).identity("/a") == FileIdentity(device: 1, inode: 2))
        // A crash between the two writes: the identities file is newer than the positions file.
        try "1:9 99 /a\n1:3 20 /b\ngarbage\n".write(toFile: path + ".ids", atomically: true, encoding: .utf8)
        let q = try PositionsFile(path: path, ignoreInvalid: false)
        #expect(q.identity("/a") == nil, "its offset differs from the position's: not trusted")
        #expect(q.identity("/b") == FileIdentity(device: 1, inode: 3))
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("\"/a\": \"10\""), "Promtail's file keeps its format")
    }
}
