// swift-tools-version: 6.1
// The package graph is Skald's architecture (docs/architecture.md tells the same story):
// bytes (CCodecs → Codecs) → vocabulary (LogModel) → formats (WriteAheadLog, ChunkFormat, IndexFormat) → state (Storage, WritePath, ReadPath)
// → edges (ServerApp) → executables (skald). No arrow points up a layer.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Skald",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "skald", targets: ["skald"]),
        .executable(name: "skald-agent", targets: ["skald-agent"]),
        .executable(name: "skald-tool", targets: ["skald-tool"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
    ],
    targets: [
        // bytes: the only place for C and unsafe pointer code.
        .target(
            name: "CCodecs",
            linkerSettings: [.linkedLibrary("lz4"), .linkedLibrary("snappy"), .linkedLibrary("z"), .linkedLibrary("re2")]
        ),
        // libcurl, for the agent's HTTP(S) client (pushes, the Kubernetes API): imported by Agent only
        .target(name: "CCurl", linkerSettings: [.linkedLibrary("curl")]),
        // the allocator the server runs on (jemalloc, with its options); linked by `skald` only
        .target(name: "CAllocator", linkerSettings: [.linkedLibrary("jemalloc")]),
        .target(name: "Codecs", dependencies: ["CCodecs"], exclude: ["README.md"], swiftSettings: strict),
        // vocabulary
        .target(name: "LogModel", dependencies: ["Codecs"], exclude: ["README.md"], swiftSettings: strict),
        // Go's text/template (line_format, label_format): parser, executor, Go's fmt and time layouts
        .target(name: "GoTemplate", dependencies: ["LogModel"], exclude: ["README.md"], swiftSettings: strict),
        // the query language: lexer, parser, AST and printer, line filter matching (no storage)
        .target(name: "LogQL", dependencies: ["Codecs", "LogModel", "GoTemplate"], exclude: ["README.md"], swiftSettings: strict),
        // the agent's vocabulary: Prometheus relabeling (relabel_configs)
        .target(name: "Relabel", dependencies: ["Codecs", "LogModel"], exclude: ["README.md"], swiftSettings: strict),
        // the agent's pipeline stages (Promtail's pipeline_stages): docker, cri, regex, json, logfmt, labels …
        .target(name: "AgentStages", dependencies: ["Codecs", "LogModel", "LogQL", "GoTemplate"], exclude: ["README.md"], swiftSettings: strict),
        // the agent: config, target discovery, tailing with positions, push clients
        .target(
            name: "Agent",
            dependencies: [
                "AgentStages", "Relabel", "LogModel", "Codecs", "WriteAheadLog", "CCurl",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            exclude: ["README.md"],
            swiftSettings: strict
        ),
        // formats
        .target(
            name: "WriteAheadLog",
            dependencies: ["Codecs", "LogModel", .product(name: "Logging", package: "swift-log")],
            exclude: ["README.md"],
            swiftSettings: strict
        ),
        .target(name: "ChunkFormat", dependencies: ["Codecs", "LogModel"], exclude: ["README.md"], swiftSettings: strict),
        .target(name: "IndexFormat", dependencies: ["Codecs", "LogModel"], exclude: ["README.md"], swiftSettings: strict),
        .target(name: "CheckpointFormat", dependencies: ["Codecs", "ChunkFormat"], exclude: ["README.md"], swiftSettings: strict),
        // state
        .target(
            name: "Storage",
            dependencies: ["Codecs", "ChunkFormat", "IndexFormat", "LogModel", "WriteAheadLog", .product(name: "Logging", package: "swift-log")],
            exclude: ["README.md"],
            swiftSettings: strict
        ),
        .target(
            name: "WritePath",
            dependencies: [
                "Codecs", "LogModel", "WriteAheadLog", "ChunkFormat", "CheckpointFormat", "Storage",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["README.md"],
            swiftSettings: strict
        ),
        .target(name: "ReadPath", dependencies: ["ChunkFormat", "LogModel", "LogQL", "Storage", "WritePath"], exclude: ["README.md"], swiftSettings: strict),
        // edges
        .target(
            name: "ServerApp",
            dependencies: [
                "Codecs", "LogModel", "LogQL", "WriteAheadLog", "ChunkFormat", "Storage", "WritePath", "ReadPath", "Compactor", "WebUI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["README.md"],
            swiftSettings: strict
        ),
        // the built-in explore page: HTML, CSS and ES modules embedded in the binary (no build step)
        .target(
            name: "WebUI",
            exclude: ["README.md"],
            resources: [
                .embedInCode("Assets/index.html"), .embedInCode("Assets/style.css"), .embedInCode("Assets/app.js"),
                .embedInCode("Assets/api.js"), .embedInCode("Assets/chart.js"), .embedInCode("Assets/logql.js"),
            ],
            swiftSettings: strict
        ),
        // the compactor: index compaction and retention over the store (in the server, or once from skald-tool)
        .target(
            name: "Compactor",
            dependencies: ["ChunkFormat", "IndexFormat", "LogModel", "LogQL", "Storage", "WriteAheadLog",
                           .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics")],
            exclude: ["README.md"],
            swiftSettings: strict
        ),
        // skald-tool's commands (inspect, verify, repair), over the same modules the server runs
        .target(
            name: "Tool",
            dependencies: ["Codecs", "WriteAheadLog", "ChunkFormat", "IndexFormat", "CheckpointFormat", "Storage", "LogModel", "Compactor", "ServerApp",
                           .product(name: "Logging", package: "swift-log"),
                           // `query --tail` over the server's tail websocket, as logcli
                           .product(name: "HummingbirdWSClient", package: "hummingbird-websocket")],
            exclude: ["README.md"],
            swiftSettings: strict
        ),
        // test and benchmark support: a blocking HTTP/1.1 client that measures the server, not a client stack
        .target(name: "HTTPProbe", swiftSettings: strict),
        // executables
        .executableTarget(name: "skald", dependencies: ["ServerApp", "CAllocator"], swiftSettings: strict),
        .executableTarget(
            name: "skald-agent",
            dependencies: [
                "Agent",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/skald-agent",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "skald-bench-compaction",
            dependencies: ["Compactor", "Storage", "ChunkFormat", "IndexFormat", "LogModel", "WriteAheadLog", .product(name: "Logging", package: "swift-log")],
            path: "Sources/skald-bench-compaction",
            swiftSettings: strict
        ),
        .executableTarget(name: "skald-tool", dependencies: ["Tool"], path: "Sources/skald-tool", swiftSettings: strict),
        .executableTarget(
            name: "skald-bench-ingest",
            dependencies: ["Codecs", "LogModel", "HTTPProbe"],
            path: "Sources/skald-bench-ingest",
            swiftSettings: strict
        ),
        // tests mirror Sources; TestSupport holds what several test targets share
        .target(name: "TestSupport", dependencies: ["Storage", "WriteAheadLog"], path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "CodecsTests", dependencies: ["Codecs"], swiftSettings: strict),
        .testTarget(name: "LogModelTests", dependencies: ["LogModel", "Codecs", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "LogQLTests", dependencies: ["LogQL", "LogModel", "Codecs", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "RelabelTests", dependencies: ["Relabel"], swiftSettings: strict),
        .testTarget(name: "AgentStagesTests", dependencies: ["AgentStages"], swiftSettings: strict),
        .testTarget(name: "AgentTests", dependencies: ["Agent", "AgentStages", "Relabel", "LogModel", "Codecs", "TestSupport"], resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "CompactorTests", dependencies: ["Compactor", "Storage", "IndexFormat", "ChunkFormat", "LogModel", "WriteAheadLog", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "ToolTests", dependencies: ["Tool", "WriteAheadLog", "ChunkFormat", "IndexFormat", "Storage", "LogModel", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "GoTemplateTests", dependencies: ["GoTemplate"], swiftSettings: strict),
        .testTarget(name: "WebUITests", dependencies: ["WebUI"], swiftSettings: strict),
        .testTarget(name: "OpsTests", dependencies: ["GoTemplate", "LogQL", .product(name: "Yams", package: "Yams")], resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "WriteAheadLogTests", dependencies: ["WriteAheadLog", "LogModel", "Codecs", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "ChunkFormatTests", dependencies: ["ChunkFormat", "LogModel", "Codecs", "TestSupport"], resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "CheckpointFormatTests", dependencies: ["CheckpointFormat", "ChunkFormat", "LogModel", "Codecs"], resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "IndexFormatTests", dependencies: ["IndexFormat", "LogModel", "Codecs"], resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "IndexFormat", "ChunkFormat", "LogModel", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "WritePathTests", dependencies: ["WritePath", "ReadPath", "LogQL", "Storage", "ChunkFormat", "CheckpointFormat", "WriteAheadLog", "LogModel", "Codecs", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "ServerAppTests",
            dependencies: [
                "ServerApp", "LogModel", "Codecs", "WriteAheadLog", "Storage",
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "Codecs", "LogModel", "HTTPProbe", "TestSupport",
                // a real websocket client for the live tail
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ],
            // answers recorded from real Loki 2.8 (scripts/golden)
            resources: [.copy("Golden")],
            swiftSettings: strict
        ),
    ]
)
