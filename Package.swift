// swift-tools-version: 6.1
import PackageDescription

/// One settings array for every target: Swift 6 mode and strict memory-safety friendly defaults.
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
        .library(name: "Jobs", targets: ["Jobs"]),
        .executable(name: "mr-local", targets: ["mr-local"]),
        .executable(name: "mr-bench", targets: ["mr-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        .target(name: "Zstd", dependencies: ["CZstd"], swiftSettings: swiftSettings),
        .target(name: "MapReduce", dependencies: ["Zstd"], swiftSettings: swiftSettings),
        .target(name: "MapReduceTesting", dependencies: ["MapReduce"], swiftSettings: swiftSettings),
        .target(name: "Jobs", dependencies: ["MapReduce"], path: "Jobs", swiftSettings: swiftSettings),
        .executableTarget(
            name: "mr-local",
            dependencies: ["MapReduce", "Jobs", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "mr-bench",
            dependencies: ["MapReduce", "Jobs", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "word-count-example",
            dependencies: ["MapReduce", "Jobs"],
            path: "Examples/WordCount",
            exclude: ["input"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MapReduceTests",
            dependencies: ["MapReduce", "MapReduceTesting", "Zstd"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "JobsTests",
            dependencies: ["Jobs", "MapReduce", "MapReduceTesting"],
            swiftSettings: swiftSettings
        ),
    ]
)
