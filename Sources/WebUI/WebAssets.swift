/// The explore page's files, embedded in the binary, each with its content type and an ETag
/// (a hash of its bytes), so browsers revalidate cheaply and a new build's files replace old ones.
public enum WebAssets {
    public struct Asset: Sendable {
        public let bytes: [UInt8]
        public let contentType: String
        public let etag: String
    }

    /// The page itself, served at `/`.
    public static var index: Asset { files["index.html"]! }

    /// A file under `/ui/` by name (`app.js`); nil for anything else.
    public static func asset(_ name: String) -> Asset? { name == "index.html" ? nil : files[name] }

    static let files: [String: Asset] = {
        let all: [(String, [UInt8], String)] = [
            ("index.html", PackageResources.index_html, "text/html; charset=utf-8"),
            ("style.css", PackageResources.style_css, "text/css; charset=utf-8"),
            ("app.js", PackageResources.app_js, "text/javascript; charset=utf-8"),
            ("api.js", PackageResources.api_js, "text/javascript; charset=utf-8"),
            ("chart.js", PackageResources.chart_js, "text/javascript; charset=utf-8"),
            ("logql.js", PackageResources.logql_js, "text/javascript; charset=utf-8"),
        ]
        var out: [String: Asset] = [:]
        for (name, bytes, type) in all { out[name] = Asset(bytes: bytes, contentType: type, etag: etag(bytes)) }
        return out
    }()

    /// `"<FNV-1a 64 of the bytes, hex>"`.
    static func etag(_ bytes: [UInt8]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        let hex = String(h, radix: 16)
        return "\"" + String(repeating: "0", count: 16 - hex.count) + hex + "\""
    }
}
