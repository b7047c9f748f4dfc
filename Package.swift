// swift-tools-version: 6.1
import PackageDescription

/// One settings array for every target (Swift 6 language mode comes from the tools version).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "swift-mapreduce",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "MapReduce", targets: ["MapReduce"]),
        .library(name: "MapReduceTesting", targets: ["MapReduceTesting"]),
        .library(name: "MapReduceCLI", targets: ["MapReduceCLI"]),
        .library(name: "Jobs", targets: ["Jobs"]),
        .executable(name: "mr-local", targets: ["mr-local"]),
        .executable(name: "mr-bench", targets: ["mr-bench"]),
        .executable(name: "mr-coordinator", targets: ["mr-coordinator"]),
        .executable(name: "mr-worker", targets: ["mr-worker"]),
        .library(name: "MapReduceRuntime", targets: ["MapReduceRuntime"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.34.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // `swift package generate-documentation --target MapReduce` (scripts/docs.sh, run by CI).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        .target(name: "Zstd", dependencies: ["CZstd"], swiftSettings: swiftSettings),
        // zlib: `.gz` inputs are decompressed as they are read.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(name: "CMapReduceSupport"),
        .target(name: "MapReduce", dependencies: ["Zstd", "CZlib", "CMapReduceSupport"], swiftSettings: swiftSettings),
        .target(name: "MapReduceTesting", dependencies: ["MapReduce"], swiftSettings: swiftSettings),
        .target(
            name: "MapReduceRuntime",
            dependencies: [
                "MapReduce",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MapReduceCLI",
            dependencies: [
                "MapReduce", "MapReduceRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "Jobs", dependencies: ["MapReduce"], path: "Jobs", swiftSettings: swiftSettings),
        .executableTarget(name: "mr-local", dependencies: ["MapReduce", "MapReduceCLI", "Jobs"], swiftSettings: swiftSettings),
        .executableTarget(name: "mr-coordinator", dependencies: ["MapReduce", "MapReduceCLI", "Jobs"], swiftSettings: swiftSettings),
        .executableTarget(name: "mr-worker", dependencies: ["MapReduce", "MapReduceCLI", "Jobs"], swiftSettings: swiftSettings),
        // Test support: the fault-injection jobs, and the one program the integration tests run, which links them.
        .target(name: "FaultInjection", dependencies: ["MapReduce"], path: "Tests/Support/FaultInjection", swiftSettings: swiftSettings),
        .executableTarget(
            name: "mr-testbed", dependencies: ["MapReduce", "MapReduceCLI", "Jobs", "FaultInjection"], path: "Tests/Support/mr-testbed",
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "mr-bench",
            dependencies: ["MapReduce", "MapReduceTesting", "MapReduceCLI", "Jobs", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "word-count-example",
            dependencies: ["MapReduce", "Jobs"],
            path: "Examples/WordCount",
            exclude: ["input"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "sales-etl-example",
            dependencies: ["MapReduce", "Jobs"],
            path: "Examples/SalesETL",
            exclude: ["input"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "grep-example",
            dependencies: ["MapReduce", "Jobs"],
            path: "Examples/Grep",
            exclude: ["input"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "sort-example",
            dependencies: ["MapReduce", "MapReduceTesting", "Jobs"],
            path: "Examples/Sort",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MapReduceTests",
            dependencies: ["MapReduce", "MapReduceTesting", "Zstd"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MapReduceRuntimeTests",
            dependencies: [
                "MapReduceRuntime", "MapReduce", "MapReduceTesting", "Jobs",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["MapReduce", "MapReduceRuntime", "MapReduceTesting", "Jobs", "FaultInjection"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "MapReduceCLITests", dependencies: ["MapReduceCLI"], swiftSettings: swiftSettings),
        .testTarget(
            name: "JobsTests",
            dependencies: ["Jobs", "MapReduce", "MapReduceTesting", "FaultInjection"],
            swiftSettings: swiftSettings
        ),
    ]
)
