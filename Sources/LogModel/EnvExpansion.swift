/// `-config.expand-env`: replaces `${VAR}` and `${VAR:-default}` in the config text before parsing;
/// `$$` is a literal `$`. A bare `$1` (regex replacements) is left alone.
public enum EnvExpansion {
    public static func expand(_ text: String, environment: [String: String]) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "$" && i + 1 < chars.count {
                if chars[i + 1] == "$" {
                    out.append("$")
                    i += 2
                    continue
                }
                if chars[i + 1] == "{", let close = chars[(i + 2)...].firstIndex(of: "}") {
                    let body = String(chars[(i + 2)..<close])
                    let name: String
                    var fallback: String?
                    if let r = body.firstRange(of: ":-") {
                        name = String(body[..<r.lowerBound])
                        fallback = String(body[r.upperBound...])
                    } else {
                        name = body
                    }
                    let value = environment[name]
                    if let v = value, !(v.isEmpty && fallback != nil) {
                        out += v
                    } else {
                        out += fallback ?? ""
                    }
                    i = close + 1
                    continue
                }
            }
            out.append(c)
            i += 1
        }
        return out
    }
}
