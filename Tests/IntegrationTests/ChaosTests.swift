import Foundation
import Jobs
import MapReduce
import MapReduceTesting
import Testing

/// Seeded chaos: word count over a few MiB while random workers, and in odd-seeded runs the coordinator, are
/// SIGKILLed at random moments and replaced. Every run's output must equal the oracle's.
@Suite(.serialized) struct ChaosTests {
    /// A deterministic corpus of about 8 MiB in eight files, shared by every run.
    static let corpus: (directory: TemporaryDirectory, files: [String]) = {
        let directory = try! TemporaryDirectory.untilExit(prefix: "chaos-corpus")
        var random = SeededRandom(seed: 2026)
        let vocabulary = (0..<5000).map { _ in
            String((0..<Int.random(in: 2...9, using: &random)).map { _ in Character(Unicode.Scalar(UInt8.random(in: 97...122, using: &random))) })
        }
        let files = (0..<8).map { index in
            var text = ""
            while text.utf8.count < 1_000_000 {
                text +=
                    (0..<12).map { _ in vocabulary[min(Int(-log(Double.random(in: 0.0001...1, using: &random)) * 600), 4999)] }.joined(separator: " ") + "\n"
            }
            return try! directory.write("chaos-\(index).txt", text)
        }
        return (directory, files)
    }()

    static let oracle: JobOutput = {
        let directory = try! TemporaryDirectory(prefix: "chaos-oracle")
        try! SequentialRunner(configuration: .init(reducers: 4)).run(wordCount, inputs: corpus.files, output: directory.appending("o"))
        return try! JobOutput(directory: directory.appending("o"))
    }()

    @Test(arguments: 0..<10)
    func randomKillsNeverChangeTheOutput(seed: Int) throws {
        var random = SeededRandom(seed: UInt64(seed))
        let killCoordinator = seed % 2 == 1
        let cluster = try Cluster(.testbed)
        let port = try Cluster.freePort()
        // Lost attempts count toward --max-attempts; five kills could hit one task five times.
        let arguments = ["--split-size", "192KiB", "--lease-timeout", "2", "--max-attempts", "6"]
        let start = { try cluster.startCoordinator(job: "word-count", reducers: 4, inputs: Self.corpus.files, extra: arguments, port: port) }
        try start()
        for _ in 0..<3 { try cluster.startWorker(extra: ["--grace-period", "60"]) }
        var workerKills = 0
        var coordinatorKills = 0
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(150)
        while cluster.coordinator.isRunning, clock.now < deadline {
            // The fault schedule: a random pause, then a random kill (this delay is the chaos, not a wait for an event).
            Thread.sleep(forTimeInterval: Double.random(in: 0.05...0.6, using: &random))
            guard cluster.coordinator.isRunning else { break }
            if killCoordinator, coordinatorKills < 2, workerKills > 0, Int.random(in: 0..<3, using: &random) == 0 {
                cluster.coordinator.send(SIGKILL)
                _ = try cluster.coordinator.waitForExit(timeout: .seconds(10))
                coordinatorKills += 1
                if FileManager.default.fileExists(atPath: "\(cluster.output)/_SUCCESS") { break }  // killed after the output was final
                try start()
            } else if workerKills < 5 {
                let live = cluster.workers.filter(\.isRunning)
                guard let victim = live.randomElement(using: &random) else { continue }
                victim.send(SIGKILL)
                _ = try victim.waitForExit(timeout: .seconds(10))
                workerKills += 1
                try cluster.startWorker(extra: ["--grace-period", "60"])
            }
        }
        if cluster.coordinator.isRunning { _ = try cluster.coordinator.waitForExit(timeout: .seconds(120)) }
        print("chaos seed \(seed): \(workerKills) worker kills, \(coordinatorKills) coordinator kills")
        #expect(FileManager.default.fileExists(atPath: "\(cluster.output)/_SUCCESS"), "\(cluster.logs)")
        let difference = try JobOutput(directory: cluster.output).firstDifference(from: Self.oracle)
        #expect(difference == nil, "seed \(seed): \(difference ?? "")")
        #expect(workerKills > 0)
    }
}
