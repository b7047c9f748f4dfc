import Foundation
import LogDigest
import MapReduce
import MapReduceTesting
import Testing

/// The log digest, run as a team would: in process, then across processes with this package's own executable,
/// then with a worker killed in the middle of a task. Every distributed output must equal the local one.
@Suite(.serialized) struct LogDigestTests {
    static let input = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("input").path
    static var inputs: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: input)) ?? []).sorted().map { "\(input)/\($0)" } }

    /// Small splits, so that every run has many map tasks and each of two reducers gets several services.
    static let configuration = JobConfiguration(reducers: 2, splitSize: 16 << 10)

    @Test func digestCountsEveryLineAndRanksProblemsByFrequency() throws {
        let directory = try TemporaryDirectory()
        let summary = try SequentialRunner(configuration: Self.configuration).run(logDigest(top: 2), inputs: Self.inputs, output: directory.path + "/out")
        let digests = try JobOutput(directory: directory.path + "/out").lines.map { try JSONDecoder().decode(ServiceDigest.self, from: Data($0.utf8)) }

        // An independent count: every line with a level and a `[service]`, read with a regular expression.
        let pattern = /^\S+ \S+ (\w+) +\[(\w+)\] (.+)$/
        var expected: [String: [String: Int]] = [:]
        var unparsed = 0
        for file in Self.inputs {
            for line in try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n") {
                guard let match = try pattern.wholeMatch(in: String(line)) else {
                    unparsed += 1
                    continue
                }
                expected[String(match.output.2), default: [:]][String(match.output.1), default: 0] += 1
            }
        }
        #expect(digests.map(\.service).sorted() == expected.keys.sorted())
        for digest in digests {
            #expect(digest.levels == expected[digest.service])
            #expect(digest.lines == digest.levels.values.reduce(0, +))
            #expect(digest.top.count == 2)
            #expect(digest.top[0].count >= digest.top[1].count)
            #expect(digest.top.allSatisfy { $0.level == "WARN" || $0.level == "ERROR" })
        }
        #expect(summary.counters == ["unparsed lines": Int64(unparsed)])
        #expect(unparsed > 0, "the inputs hold a few lines that are not log lines")
    }

    @Test func numbersDoNotSplitAMessage() throws {
        let (service, event) = try #require(LogEvent.parse("2026-03-01 09:00:29 WARN  [billing] retrying after timeout (attempt 12)"))
        #expect(service == "billing")
        #expect(event == LogEvent(level: "WARN", message: "retrying after timeout (attempt #)"))
        #expect(LogEvent.parse("--- log rotated ---") == nil)
    }

    @Test func twoWorkersWriteExactlyTheLocalOutput() throws {
        let cluster = try Cluster(.subcommands(of: "log-digest"))
        try cluster.startCoordinator(job: "log-digest", reducers: 2, inputs: Self.inputs, extra: ["--param", "top=2", "--split-size", "16KiB"])
        try cluster.startWorker()
        try cluster.startWorker()
        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(120)) == 0, "\(cluster.logs)")
        #expect(try cluster.firstDifference(fromOracle: AnyJob(logDigest(top: 2)), inputs: Self.inputs, configuration: Self.configuration) == nil)
    }

    @Test func aWorkerKilledMidTaskChangesNothingInTheOutput() throws {
        let cluster = try Cluster(.subcommands(of: "log-digest"))
        try cluster.startCoordinator(
            job: "log-digest", reducers: 2, inputs: Self.inputs, extra: ["--param", "top=2", "--split-size", "16KiB", "--lease-timeout", "2"])
        let victim = try cluster.startWorker()
        try cluster.killWorker(victim, whenRunning: "map")
        try cluster.startWorker()
        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(120)) == 0, "\(cluster.logs)")
        #expect(try cluster.firstDifference(fromOracle: AnyJob(logDigest(top: 2)), inputs: Self.inputs, configuration: Self.configuration) == nil)
    }
}
