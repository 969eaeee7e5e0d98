import Foundation

/// A fresh temporary directory, removed when the test is done with it (shared by the test targets).
public final class TestDirectory {
    public let path: String

    public init() {
        var template = Array((NSTemporaryDirectory() + "/skald-test-XXXXXX").utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    public func files() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
}
