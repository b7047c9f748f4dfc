// swift-tools-version: 6.1
import PackageDescription

// A team's own jobs in a package of their own: it depends on swift-mapreduce (here by path; from your package, by
// its URL and a version) and builds one executable that is its coordinator, its workers and its local runner.
let package = Package(
    name: "log-digest",
    platforms: [.macOS(.v15)],
    products: [.executable(name: "log-digest", targets: ["log-digest"])],
    dependencies: [.package(name: "swift-mapreduce", path: "../..")],
    targets: [
        // The jobs, in a library of their own so that tests can run them in process.
        .target(name: "LogDigest", dependencies: [.product(name: "MapReduce", package: "swift-mapreduce")]),
        // The program: `log-digest coordinator | worker | local | jobs`.
        .executableTarget(
            name: "log-digest",
            dependencies: [
                "LogDigest", .product(name: "MapReduce", package: "swift-mapreduce"), .product(name: "MapReduceCLI", package: "swift-mapreduce"),
            ]),
        .testTarget(
            name: "LogDigestTests",
            dependencies: [
                "LogDigest", .product(name: "MapReduce", package: "swift-mapreduce"),
                .product(name: "MapReduceTesting", package: "swift-mapreduce"),
            ]),
    ]
)
