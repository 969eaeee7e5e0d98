import Foundation
import Yams

/// Renders ops/k8s's kustomizations as `kubectl kustomize` would, for the manifests' validation
/// where kubectl is not installed: the subset the directory uses — `resources` (files, and
/// directories with their own kustomization), `namespace`, `configMapGenerator` (`files`, with
/// `behavior: replace` in overlays), `images` — with generated ConfigMaps named `<name>-<hash>`
/// and the pods' references to them renamed. The hash is the first 10 hex digits of the data's
/// SHA-256 (kustomize encodes its own differently): any change renames, as kustomize's does.
struct KustomizeRenderer {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// The objects the kustomization in `directory` produces.
    func render(_ directory: URL) throws -> [[String: Any]] {
        let k = try ChartRenderer.yamlMap(String(contentsOf: directory.appendingPathComponent("kustomization.yaml"), encoding: .utf8))
        var objects: [[String: Any]] = []
        var generated: [String: [String: Any]] = [:]
        for r in k["resources"] as? [String] ?? [] {
            let url = directory.appendingPathComponent(r).standardizedFileURL
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) else { throw Failure(description: "\(r): no such resource") }
            if isDir.boolValue {
                objects += try render(url)
            } else {
                for doc in try Yams.load_all(yaml: String(contentsOf: url, encoding: .utf8)) {
                    guard let o = doc as? [String: Any] else { throw Failure(description: "\(r): a document is not an object") }
                    objects.append(o)
                }
            }
        }
        // Generated ConfigMaps: new, or replacing one a base generated (found by its name prefix).
        for g in k["configMapGenerator"] as? [[String: Any]] ?? [] {
            guard let name = g["name"] as? String else { throw Failure(description: "configMapGenerator entry without a name") }
            var data: [String: String] = [:]
            for f in g["files"] as? [String] ?? [] {
                let parts = f.split(separator: "=", maxSplits: 1).map(String.init)
                let key = parts.count == 2 ? parts[0] : URL(fileURLWithPath: parts[0]).lastPathComponent
                data[key] = try String(contentsOf: directory.appendingPathComponent(parts.last!), encoding: .utf8)
            }
            let hash = String(SHA256.hex(Array(data.keys.sorted().map { $0 + "\u{0}" + data[$0]! }.joined(separator: "\u{0}").utf8)).prefix(10))
            let cm: [String: Any] = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "\(name)-\(hash)"], "data": data]
            let before = objects.count
            objects.removeAll { ($0["kind"] as? String) == "ConfigMap" && Self.generatedName(of: $0).map { $0 == name } == true }
            if (g["behavior"] as? String) == "replace", objects.count == before { throw Failure(description: "configMapGenerator \(name): nothing to replace") }
            objects.append(cm)
            generated[name] = cm
        }
        if let ns = k["namespace"] as? String {
            objects = objects.map { o in
                guard !["Namespace", "ClusterRole", "ClusterRoleBinding"].contains(o["kind"] as? String ?? "") else { return o }
                var o = o
                var meta = o["metadata"] as? [String: Any] ?? [:]
                meta["namespace"] = ns
                o["metadata"] = meta
                return o
            }
        }
        let images = (k["images"] as? [[String: Any]] ?? []).compactMap { i -> (String, String)? in
            guard let name = i["name"] as? String else { return nil }
            return (name, (i["newName"] as? String ?? name) + ((i["newTag"] as? String).map { ":" + $0 } ?? ""))
        }
        // Every ConfigMap generated so far, by the name pods use for it.
        var names: [String: String] = [:]
        for o in objects where (o["kind"] as? String) == "ConfigMap" {
            if let full = (o["metadata"] as? [String: Any])?["name"] as? String, let base = Self.generatedName(of: o) { names[base] = full }
        }
        return objects.map { Self.rewrite($0, images: images, configMaps: names) as! [String: Any] }
    }

    /// The generator name of a generated ConfigMap (`skald-config` for `skald-config-<hash>`).
    static func generatedName(of o: [String: Any]) -> String? {
        guard let n = (o["metadata"] as? [String: Any])?["name"] as? String, let dash = n.lastIndex(of: "-"),
              n[n.index(after: dash)...].count == 10 else { return nil }
        return String(n[..<dash])
    }

    /// Container images and `configMap.name` references, rewritten everywhere below `value`.
    static func rewrite(_ value: Any, images: [(String, String)], configMaps: [String: String]) -> Any {
        if var m = value as? [String: Any] {
            for (k, v) in m { m[k] = rewrite(v, images: images, configMaps: configMaps) }
            if let image = m["image"] as? String, m["name"] != nil, let new = images.first(where: { $0.0 == image })?.1 { m["image"] = new }
            // (A reference a base already renamed names its generator with the base's hash.)
            if var cm = m["configMap"] as? [String: Any], let n = cm["name"] as? String,
               let full = configMaps[n] ?? generatedName(of: ["metadata": ["name": n]]).flatMap({ configMaps[$0] }) {
                cm["name"] = full
                m["configMap"] = cm
            }
            return m
        }
        if let l = value as? [Any] { return l.map { rewrite($0, images: images, configMaps: configMaps) } }
        return value
    }
}
