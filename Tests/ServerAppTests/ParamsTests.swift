import Testing
@testable import ServerApp

/// Query parameters decode like Go's `url.ParseQuery` (Loki's): `+` is a space in a URL's query as
/// in a form body, `%2B` a plus.
@Suite struct ParamsTests {
    @Test func formDecodingMatchesGo() {
        var p = Params()
        p.addForm("query=%7Bapp%3D~%22.%2B%22%7D+%7C%3D+%22a+b%22&limit=5&match%5B%5D=x&match%5B%5D=y&empty=&bare&bad=%ZZ+z")
        #expect(p["query"] == #"{app=~".+"} |= "a b""#)
        #expect(p["limit"] == "5")
        #expect(p.values["match[]"] == ["x", "y"])
        #expect(p["empty"] == "")
        #expect(p["bare"] == "")
        #expect(p["bad"] == "%ZZ z") // malformed escapes stay as sent rather than failing the request
        #expect(p["missing"] == nil)
    }
}
