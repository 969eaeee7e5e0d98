import Foundation
import Testing
@testable import WebUI

@Suite struct WebAssetsTests {
    /// Every file the page or a module refers to under /ui/ is embedded, with a JavaScript or CSS type.
    @Test func everyReferencedFileIsEmbedded() throws {
        var referenced: Set<String> = []
        for (_, asset) in WebAssets.files {
            let text = String(decoding: asset.bytes, as: UTF8.self)
            var rest = Substring(text)
            while let r = rest.range(of: "/ui/") {
                let after = rest[r.upperBound...]
                let name = after.prefix { (c: Character) -> Bool in c.isLetter || c.isNumber || c == "." || c == "-" || c == "_" }
                if name.contains(".") { referenced.insert(String(name)) }
                rest = rest[r.upperBound...]
            }
        }
        #expect(referenced.isSuperset(of: ["app.js", "style.css"]))
        for name in referenced {
            let a = try #require(WebAssets.asset(name), "\(name) is referenced but not embedded")
            #expect(!a.bytes.isEmpty)
            #expect(a.contentType.hasPrefix(name.hasSuffix(".css") ? "text/css" : "text/javascript"), "\(name)")
        }
        #expect(String(decoding: WebAssets.index.bytes, as: UTF8.self).hasPrefix("<!doctype html>"))
    }

    @Test func etagsFollowTheBytes() {
        #expect(WebAssets.etag(Array("a".utf8)) == WebAssets.etag(Array("a".utf8)))
        #expect(WebAssets.etag(Array("a".utf8)) != WebAssets.etag(Array("b".utf8)))
        #expect(WebAssets.etag([]).count == 18) // 16 hex digits in quotes
        #expect(Set(WebAssets.files.values.map(\.etag)).count == WebAssets.files.count)
    }

    @Test func onlyPageFilesAreServed() {
        for name in ["index.html", "", "../Package.swift", "app.js/..", "APP.JS", "README.md", "WebAssets.swift"] {
            #expect(WebAssets.asset(name) == nil, "\(name)")
        }
    }
}
