public import AgentStages

/// Prometheus' `kubernetes_sd_configs` role `pod`, as Promtail uses it: a pod becomes one target
/// per container port (or one per container without ports), labelled with the pod's
/// `__meta_kubernetes_*` labels. A pod without an IP yet (pending) gives no target, as in Prometheus.
public enum KubernetesPods {
    /// The target group of one pod (its `uid` keys it), from the pod's JSON as the API server sends it.
    public static func group(_ pod: JSONValue) -> (uid: String, group: TargetDiscovery.Group)? {
        guard case .object = pod, let meta = pod["metadata"], let name = meta["name"]?.string else { return nil }
        let uid = meta["uid"]?.string ?? name
        let namespace = meta["namespace"]?.string ?? ""
        var podLabels: [String: String] = [
            "__meta_kubernetes_namespace": namespace,
            "__meta_kubernetes_pod_name": name,
            "__meta_kubernetes_pod_uid": uid,
            "__meta_kubernetes_pod_ip": pod["status"]?["podIP"]?.string ?? "",
            "__meta_kubernetes_pod_host_ip": pod["status"]?["hostIP"]?.string ?? "",
            "__meta_kubernetes_pod_node_name": pod["spec"]?["nodeName"]?.string ?? "",
            "__meta_kubernetes_pod_phase": pod["status"]?["phase"]?.string ?? "",
            "__meta_kubernetes_pod_ready": ready(pod),
        ]
        if case .object(let labels)? = meta["labels"] {
            for (k, v) in labels {
                let n = sanitize(k)
                podLabels["__meta_kubernetes_pod_label_" + n] = v.string ?? ""
                podLabels["__meta_kubernetes_pod_labelpresent_" + n] = "true"
            }
        }
        if case .object(let annotations)? = meta["annotations"] {
            for (k, v) in annotations {
                let n = sanitize(k)
                podLabels["__meta_kubernetes_pod_annotation_" + n] = v.string ?? ""
                podLabels["__meta_kubernetes_pod_annotationpresent_" + n] = "true"
            }
        }
        if case .array(let owners)? = meta["ownerReferences"] {
            for o in owners where o["controller"] == .bool(true) {
                podLabels["__meta_kubernetes_pod_controller_kind"] = o["kind"]?.string ?? ""
                podLabels["__meta_kubernetes_pod_controller_name"] = o["name"]?.string ?? ""
            }
        }
        var group = TargetDiscovery.Group(targets: [], labels: podLabels)
        group.perTarget = []
        guard let ip = pod["status"]?["podIP"]?.string, !ip.isEmpty else { return (uid, group) }
        var ids: [String: String] = [:]
        for key in ["containerStatuses", "initContainerStatuses"] {
            if case .array(let statuses)? = pod["status"]?[key] {
                for s in statuses { if let n = s["name"]?.string { ids[n] = s["containerID"]?.string ?? "" } }
            }
        }
        for (key, isInit) in [("containers", false), ("initContainers", true)] {
            guard case .array(let containers)? = pod["spec"]?[key] else { continue }
            for c in containers {
                let cname = c["name"]?.string ?? ""
                var base: [String: String] = [
                    "__meta_kubernetes_pod_container_name": cname,
                    "__meta_kubernetes_pod_container_image": c["image"]?.string ?? "",
                    "__meta_kubernetes_pod_container_init": isInit ? "true" : "false",
                ]
                if let id = ids[cname] { base["__meta_kubernetes_pod_container_id"] = id }
                guard case .array(let ports)? = c["ports"], !ports.isEmpty else {
                    group.targets.append(ip)
                    group.perTarget.append(base)
                    continue
                }
                for p in ports {
                    let number = p["containerPort"].flatMap { v -> String? in if case .number(let d) = v { JSONValue.formatNumber(d) } else { nil } } ?? ""
                    var l = base
                    l["__meta_kubernetes_pod_container_port_name"] = p["name"]?.string ?? ""
                    l["__meta_kubernetes_pod_container_port_number"] = number
                    l["__meta_kubernetes_pod_container_port_protocol"] = p["protocol"]?.string ?? "TCP"
                    group.targets.append(ip + ":" + number)
                    group.perTarget.append(l)
                }
            }
        }
        return (uid, group)
    }

    /// "true", "false" or "unknown": the pod's Ready condition.
    static func ready(_ pod: JSONValue) -> String {
        guard case .array(let conditions)? = pod["status"]?["conditions"] else { return "unknown" }
        for c in conditions where c["type"]?.string == "Ready" {
            switch c["status"]?.string {
            case "True": return "true"
            case "False": return "false"
            default: return "unknown"
            }
        }
        return "unknown"
    }

    /// Prometheus' label-name sanitising: every byte outside [a-zA-Z0-9_] becomes `_`.
    static func sanitize(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.map { c in
            (c.isASCII && (c.properties.isAlphabetic || c.properties.numericType == .decimal)) || c == "_" ? c : "_"
        }))
    }
}

extension JSONValue {
    var string: String? { if case .string(let s) = self { s } else { nil } }
}
