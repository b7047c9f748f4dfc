import Foundation
import Jobs
import MapReduce
import MapReduceTesting
import Testing

/// `local` runs tasks on every core: its output must be exactly the oracle's (one task after another), for every
/// kind of job, and a failing job must fail the same way.
@Suite struct LocalRunnerTests {
    /// Jobs of every shape, with their parameters, inputs and configuration: a combiner, no combiner, total order
    /// with sampled split points, several steps with CSV output.
    static let cases: [(job: AnyJob, parameters: [String: String], inputs: [String], configuration: JobConfiguration)] = {
        let sales = TestInputs.files(in: "\(TestInputs.packageRoot)/Examples/SalesETL/input")
        let text = corpus.files
        return [
            (AnyJob(wordCount), [:], text, JobConfiguration(reducers: 3, splitSize: 64 << 10)),
            (AnyJob(invertedIndex), [:], text, JobConfiguration(reducers: 2, splitSize: 256 << 10, memoryBudget: 1 << 20)),
            (AnyJob(sort), [:], text, JobConfiguration(reducers: 4, splitSize: 128 << 10)),
            (AnyJob(salesETL), [:], sales, JobConfiguration(reducers: 2, skipBadRecords: 5)),
        ]
    }()

    /// About 1.5 MiB of text in three files, the same in every run (the shipped examples are too small to cut into
    /// many tasks, and the Gutenberg books are not in every checkout).
    static let corpus: (directory: TemporaryDirectory, files: [String]) = {
        let directory = try! TemporaryDirectory.untilExit(prefix: "local-runner-corpus")
        var random = SeededRandom(seed: 24)
        let vocabulary = (0..<3000).map { _ in
            String((0..<Int.random(in: 2...9, using: &random)).map { _ in Character(Unicode.Scalar(UInt8.random(in: 97...122, using: &random))) })
        }
        let files = (0..<3).map { index in
            var text = ""
            while text.utf8.count < 500_000 {
                text +=
                    (0..<10).map { _ in vocabulary[Int.random(in: 0..<Int.random(in: 1...3000, using: &random), using: &random)] }.joined(separator: " ") + "\n"
            }
            return try! directory.write("text-\(index).txt", text)
        }
        return (directory, files)
    }()

    @Test(arguments: 0..<cases.count)
    func everyParallelismWritesTheOraclesBytes(index: Int) throws {
        let (job, parameters, inputs, configuration) = Self.cases[index]
        let directory = try TemporaryDirectory()
        let oracle = try SequentialRunner(configuration: configuration).run(job, parameters: parameters, inputs: inputs, output: directory.appending("oracle"))
        #expect(oracle.mapTasks > 1, "enough tasks to run at once")
        for parallelism in [2, 3, 8] {
            let output = directory.appending("parallel-\(parallelism)")
            let summary = try LocalRunner(configuration: configuration, parallelism: parallelism).run(
                job, parameters: parameters, inputs: inputs, output: output)
            let difference = try JobOutput(directory: output).firstDifference(from: JobOutput(directory: directory.appending("oracle")))
            #expect(difference == nil, "\(job.name), parallelism \(parallelism): \(difference ?? "")")
            #expect(summary.counters == oracle.counters && summary.outputRecords == oracle.outputRecords && summary.mapTasks == oracle.mapTasks)
        }
    }

    /// Two splits fail: the error is the first one's, as one task after another meets it, whichever thread got there
    /// first, and nothing is published.
    @Test func aFailingJobFailsWithTheFirstFailingTasksError() throws {
        struct Boom: Error {}
        let failing = Job<String, Int>("failing") { line, emit in
            if line.string.hasPrefix("bad") { throw Boom() }
            emit(line.string, 1)
        } reduce: { _, counts in
            counts.reduce(0, +)
        }
        let directory = try TemporaryDirectory()
        let lines = (0..<4000).map { $0 == 2500 ? "bad one" : $0 == 3900 ? "bad two" : "line \($0)" }
        let input = try directory.write("in.txt", lines.joined(separator: "\n") + "\n")
        let configuration = JobConfiguration(reducers: 2, splitSize: 2 << 10, syncFiles: false)
        func message(_ run: () throws -> Void) -> String? {
            do {
                try run()
                return nil
            } catch {
                return "\(error)"
            }
        }
        let sequential = message { try SequentialRunner(configuration: configuration).run(failing, inputs: [input], output: directory.appending("a")) }
        let parallel = message {
            try LocalRunner(configuration: configuration, parallelism: 4).run(AnyJob(failing), inputs: [input], output: directory.appending("b"))
        }
        #expect(sequential?.contains("line 2501") == true, "\(sequential ?? "no error")")
        #expect(parallel == sequential?.replacingOccurrences(of: directory.appending("a"), with: directory.appending("b")))
        #expect(!FileManager.default.fileExists(atPath: directory.appending("b/_SUCCESS")))
    }
}
