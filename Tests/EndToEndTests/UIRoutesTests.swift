import Foundation
import HTTPProbe
import Testing
import TestSupport

/// The built-in page over HTTP: `/` and its files with ETags (304 when unchanged), 404 for any
/// other name under /ui/ (no path escapes), and Loki's API beside it unchanged.
@Suite struct UIRoutesTests {
    @Test func thePageAndItsFilesAreServedAndNothingElse() throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: ServerProcess.config())
        try server.start()
        let c = server.connection()
        let page = try c.request("GET", "/")
        #expect(page.status == 200 && page.text.hasPrefix("<!doctype html>"))
        let app = try c.request("GET", "/ui/app.js")
        #expect(app.status == 200 && app.text.contains("import"))
        let etag = try #require(app.headers.first { $0.0.lowercased() == "etag" }?.1)
        #expect(try c.request("GET", "/ui/app.js", headers: [("If-None-Match", etag)]).status == 304)
        #expect(try c.request("GET", "/ui/app.js", headers: [("If-None-Match", "\"stale\"")]).status == 200)
        for bad in ["/ui/nope.js", "/ui/index.html", "/ui/..%2FPackage.swift", "/ui/", "/ui/README.md"] {
            #expect(try c.request("GET", bad).status == 404, "\(bad)")
        }
        #expect(try c.request("GET", "/loki/api/v1/labels").status == 200)
        #expect(try c.request("GET", "/ready").status == 200)
        server.stop()
    }
}
