#if canImport(Glibc)
import Glibc
#endif

/// `__path__` and `__path_exclude__` patterns, as Promtail matches them (doublestar): `*`, `?` and
/// `[…]` within one path segment, `**` across any number of directories (including none).
public struct PathGlob: Sendable, Equatable {
    public let pattern: String
    let segments: [String]
    let absolute: Bool

    public init(_ pattern: String) {
        self.pattern = pattern
        absolute = pattern.hasPrefix("/")
        segments = pattern.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    static func isPattern(_ s: String) -> Bool { s.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" }) }

    /// Whether `path` matches the whole pattern.
    public func matches(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        return Self.match(segments[...], parts[...])
    }

    static func match(_ pat: ArraySlice<String>, _ parts: ArraySlice<String>) -> Bool {
        guard let first = pat.first else { return parts.isEmpty }
        if first == "**" {
            // Zero or more whole segments.
            var rest = parts
            while true {
                if match(pat.dropFirst(), rest) { return true }
                guard !rest.isEmpty else { return false }
                rest = rest.dropFirst()
            }
        }
        guard let p = parts.first, fnmatch(first, p, 0) == 0 else { return false }
        return match(pat.dropFirst(), parts.dropFirst())
    }

    /// Regular files on disk matching the pattern (sorted), walking only the directories the
    /// pattern can reach. Symbolic links are followed (kubelet's /var/log/pods holds real files,
    /// /var/log/containers links to them), but a `**` walk does not descend into linked directories.
    public func expand(maxFiles: Int = 100_000) -> [String] {
        var out: [String] = []
        walk(absolute ? "/" : ".", segments[...], linked: false, into: &out, max: maxFiles)
        return out.sorted()
    }

    private func walk(_ dir: String, _ pat: ArraySlice<String>, linked: Bool, into out: inout [String], max: Int) {
        guard out.count < max, let first = pat.first else { return }
        func join(_ d: String, _ n: String) -> String { d == "/" ? "/" + n : (d == "." && !absolute ? n : d + "/" + n) }
        if first == "**" {
            walk(dir, pat.dropFirst(), linked: linked, into: &out, max: max)
            guard !linked else { return }
            for (name, isDir, isLink) in Self.list(dir) where isDir && !isLink {
                walk(join(dir, name), pat, linked: false, into: &out, max: max)
            }
            return
        }
        let last = pat.count == 1
        if !Self.isPattern(first) {
            let path = join(dir, first)
            var st = stat()
            guard stat(path, &st) == 0 else { return }
            let isDir = (st.st_mode & S_IFMT) == S_IFDIR
            if last { if (st.st_mode & S_IFMT) == S_IFREG { out.append(path) } } else if isDir { walk(path, pat.dropFirst(), linked: linked, into: &out, max: max) }
            return
        }
        for (name, isDir, isLink) in Self.list(dir) where fnmatch(first, name, 0) == 0 {
            let path = join(dir, name)
            if last {
                var st = stat()
                if stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG { out.append(path) }
            } else if isDir {
                walk(path, pat.dropFirst(), linked: linked || isLink, into: &out, max: max)
            }
        }
    }

    /// A directory's entries: name, whether it is (or links to) a directory, whether it is a link.
    static func list(_ dir: String) -> [(String, Bool, Bool)] {
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var out: [(String, Bool, Bool)] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            let path = dir == "/" ? "/" + name : dir + "/" + name
            var lst = stat()
            guard lstat(path, &lst) == 0 else { continue }
            let isLink = (lst.st_mode & S_IFMT) == S_IFLNK
            var isDir = (lst.st_mode & S_IFMT) == S_IFDIR
            if isLink {
                var st = stat()
                isDir = stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
            }
            out.append((name, isDir, isLink))
        }
        return out
    }
}
