import FaultInjection
import Foundation
import Jobs
import MapReduce
import MapReduceTesting
import Testing

/// Jobs of several steps across real processes: every step's output and the job's equal the `SequentialRunner`'s
/// byte for byte, the same workers serve every step, and coordinators and workers SIGKILLed inside any step change
/// nothing (a restarted coordinator resumes inside its step and never redoes a finished one).
@Suite(.serialized) struct MultiStepJobTests {
    static let books = DistributedRunTests.inputs

    /// The rows of `output`'s CSV parts without their headers.
    func rows(_ output: JobOutput) -> [String] {
        output.parts.flatMap { String(decoding: $0.bytes, as: UTF8.self).split(separator: "\n").dropFirst().map(String.init) }
    }

    /// Each book's `top` most frequent words, counted with a regular expression: `book,rank,word,count` rows.
    static func expectedTopWords(_ books: [String], top: Int) throws -> [String] {
        let letters = try NSRegularExpression(pattern: #"[\p{Lu}\p{Ll}\p{Lt}\p{Lm}\p{Lo}]+"#)
        var rows: [String] = []
        for path in books {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            var counts: [String: Int] = [:]
            for match in letters.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                counts[String(text[Range(match.range, in: text)!]), default: 0] += 1
            }
            // Most frequent first; ties in byte order of the word.
            let ranked = counts.sorted { $0.value != $1.value ? $0.value > $1.value : Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
            let name = URL(fileURLWithPath: path).lastPathComponent
            for (index, (word, count)) in ranked.prefix(top).enumerated() { rows.append("\(name),\(index + 1),\(word),\(count)") }
        }
        return rows
    }

    @Test func topWordsPerBookEqualsAnIndependentRankingLocallyAndAcrossProcesses() throws {
        let top = 7
        let expected = try Self.expectedTopWords(Self.books, top: top)
        #expect(expected.count == Self.books.count * top)
        let configuration = JobConfiguration(reducers: 3, splitSize: 128 << 10)
        let oracle = try JobOutput.oracle(AnyJob(topWordsPerBook(top: top)), parameters: ["top": "\(top)"], inputs: Self.books, configuration: configuration)
        #expect(rows(oracle).sorted() == expected.sorted())

        let cluster = try Cluster(.testbed)
        try cluster.startCoordinator(job: "top-words-per-book", reducers: 3, inputs: Self.books, extra: ["--param", "top=\(top)", "--split-size", "128KiB"])
        for _ in 0..<2 { try cluster.startWorker() }
        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(120)) == 0, "\(cluster.logs)")
        for worker in cluster.workers { #expect(try worker.waitForExit(timeout: .seconds(30)) == 0) }
        let difference = try JobOutput(directory: cluster.output).firstDifference(from: oracle)
        #expect(difference == nil, "\(difference ?? "")")
        // The workers did not exit between the steps: one worker process ran attempts of both.
        let logs = cluster.workers.map(\.standardError)
        #expect(logs.contains { $0.contains("attempt started") && $0.contains("mr.step=1") && $0.contains("mr.step=2") }, "\(cluster.logs)")
        let summary = try JobSummary(readingFrom: OutputDirectory(path: cluster.output))
        #expect(summary.steps?.map(\.job) == ["count-words-per-book", "top-words-per-book"])
        #expect(summary.steps?.last?.outputRecords == Int64(expected.count))
        // The last line gives the whole job's figures, as `local` and `_summary.json` do (issue 23, item 5: it gave the
        // last step's alone).
        #expect(
            cluster.coordinator.standardOutput.contains(
                "top-words-per-book: succeeded; 2 steps, \(summary.mapTasks) map tasks (\(summary.mapAttempts) attempts), \(summary.reduceTasks) reduce tasks"),
            "\(cluster.coordinator.standardOutput)")
        // The job's history shows both steps, done, and the last step's tasks.
        let report = try ChildProcess(
            "\(Cluster.binaryDirectory)/mr-testbed", ["report", "--json", cluster.output], errorLog: cluster.directory.appending("report.log"))
        #expect(try report.waitForExit(timeout: .seconds(30)) == 0)
        let overview = try JSONSerialization.jsonObject(with: Data(report.standardOutput.utf8)) as? [String: Any]
        let steps = overview?["steps"] as? [[String: Any]]
        #expect(steps?.compactMap { $0["name"] as? String } == ["count-words-per-book", "top-words-per-book"], "\(report.standardOutput)")
        #expect(steps?.compactMap { $0["state"] as? String } == ["done", "done"])
        #expect((overview?["maps"] as? [String: Any])?["total"] as? Int == summary.steps?.last?.mapTasks)
        let page = try ChildProcess("\(Cluster.binaryDirectory)/mr-testbed", ["report", cluster.output], errorLog: cluster.directory.appending("page.log"))
        #expect(try page.waitForExit(timeout: .seconds(30)) == 0)
        #expect(page.standardOutput.contains(#"<p id="step">all 2 steps done"#), "\(page.standardOutput)")
    }

    @Test func everyStepOfAThreeStepJobEqualsTheSequentialRunnerAcrossProcesses() throws {
        let configuration = JobConfiguration(reducers: 3, splitSize: 256 << 10)
        // The first steps as jobs of their own publish what they hand the next step: intermediate files.
        for (name, job) in [("probe-count", AnyJob(probeCount)), ("probe-histogram", AnyJob(probeHistogram)), ("probe-steps", AnyJob(probeSteps))] {
            let oracle = try JobOutput.oracle(job, inputs: Self.books, configuration: configuration)
            let cluster = try Cluster(.testbed)
            try cluster.startCoordinator(job: name, reducers: 3, inputs: Self.books, extra: ["--split-size", "256KiB"])
            for _ in 0..<2 { try cluster.startWorker() }
            #expect(try cluster.coordinator.waitForExit(timeout: .seconds(120)) == 0, "\(cluster.logs)")
            for worker in cluster.workers { #expect(try worker.waitForExit(timeout: .seconds(30)) == 0) }
            let difference = try JobOutput(directory: cluster.output).firstDifference(from: oracle)
            #expect(difference == nil, "\(name): \(difference ?? "")")
        }
    }

    /// The events of `output`'s `_events.jsonl`, decoded loosely.
    func events(_ output: String) -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: "\(output)/_events.jsonl", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// Starts `probe-steps` over three books with two workers, every step's reduces held (see ``probeSteps``) until
    /// the test lets them go by removing `hold-step-N` from the returned directory.
    func startHeldProbeSteps(_ cluster: Cluster, extra: [String], port: Int = 0) throws -> (inputs: [String], holds: TemporaryDirectory) {
        let holds = try TemporaryDirectory(prefix: "holds")
        for step in 1...3 { _ = try holds.write("hold-step-\(step)", "") }
        let inputs = Array(Self.books.prefix(3))
        try cluster.startCoordinator(job: "probe-steps", reducers: 3, inputs: inputs, extra: extra, port: port)
        for _ in 0..<2 { try cluster.startWorker(environment: ["MR_PROBE_DIR": holds.path], extra: ["--grace-period", "60"]) }
        return (inputs, holds)
    }

    /// Waits until `output`'s history shows a committed map task of `step` (from 0).
    func waitForMapCommit(inStep step: Int, of output: String) throws {
        try ChildProcess.waitUntil("a map commit in step \(step + 1)", timeout: .seconds(90)) { () -> Bool? in
            events(output).contains { $0["kind"] as? String == "task-committed" && $0["phase"] as? String == "map" && $0["step"] as? Int == step + 1 }
                ? true : nil
        }
    }

    @Test func aCoordinatorKilledInEveryStepResumesThereAndNeverRedoesAFinishedStep() throws {
        let configuration = JobConfiguration(reducers: 3, splitSize: 64 << 10)
        let cluster = try Cluster(.testbed)
        let port = try Cluster.freePort()
        let arguments = ["--split-size", "64KiB", "--lease-timeout", "2"]
        let (inputs, holds) = try startHeldProbeSteps(cluster, extra: arguments, port: port)
        let jobs = "\(cluster.shared)/jobs"
        for step in 0..<3 {
            // The step's maps commit while its reduces are held: the coordinator is inside the step when it dies.
            try waitForMapCommit(inStep: step, of: cluster.output)
            if step > 0 {
                // What the finished step handed this one equals what the SequentialRunner's step writes.
                let job = "\(jobs)/\(try #require(try FileManager.default.contentsOfDirectory(atPath: jobs).first))"
                let handed = try JobOutput(directory: "\(job)/output-\(step - 1)")
                let prefix = step == 1 ? AnyJob(probeCount) : AnyJob(probeHistogram)
                let difference = handed.firstDifference(from: try JobOutput.oracle(prefix, inputs: inputs, configuration: configuration))
                #expect(difference == nil, "step \(step)'s output: \(difference ?? "")")
            }
            cluster.coordinator.send(SIGKILL)
            #expect(try cluster.coordinator.waitForExit(timeout: .seconds(10)) == 128 + SIGKILL)
            try cluster.startCoordinator(job: "probe-steps", reducers: 3, inputs: inputs, extra: arguments, port: port)
            try ChildProcess.waitUntil("the restarted coordinator to resume in step \(step + 1)", timeout: .seconds(30)) {
                cluster.coordinator.standardError.contains("resumed from journal") ? true : nil
            }
            #expect(cluster.coordinator.standardError.contains("mr.step=\(step + 1)"), "\(cluster.coordinator.standardError)")
            try FileManager.default.removeItem(atPath: holds.appending("hold-step-\(step + 1)"))
        }
        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(90)) == 0, "\(cluster.logs)")
        for worker in cluster.workers { #expect(try worker.waitForExit(timeout: .seconds(30)) == 0, "\(cluster.logs)") }
        let difference = try cluster.firstDifference(fromOracle: AnyJob(probeSteps), inputs: inputs, configuration: configuration)
        #expect(difference == nil, "\(difference ?? "")")

        // After a coordinator started in step k, nothing of an earlier step was assigned again.
        var current = 0
        for event in events(cluster.output) {
            let kind = event["kind"] as? String
            let step = (event["step"] as? Int ?? 1) - 1
            if kind == "job-started" || kind == "step-started" {
                #expect(step >= current, "a coordinator went back from step \(current + 1) to step \(step + 1)")
                current = step
            }
            if kind == "task-assigned" { #expect(step == current, "an attempt of step \(step + 1) was assigned in step \(current + 1)") }
        }
        #expect(events(cluster.output).count { $0["kind"] as? String == "job-started" } == 4)
        let summary = try JobSummary(readingFrom: OutputDirectory(path: cluster.output))
        #expect(summary.steps?.map(\.job) == ["probe-count", "probe-histogram", "probe-steps"])
    }

    @Test func workersKilledInsideEveryStepChangeNothing() throws {
        let configuration = JobConfiguration(reducers: 3, splitSize: 64 << 10)
        let cluster = try Cluster(.testbed)
        let (inputs, holds) = try startHeldProbeSteps(cluster, extra: ["--split-size", "64KiB", "--lease-timeout", "2", "--no-speculation"])
        for step in 1...3 {
            // A worker held inside a reduce attempt of this step dies; another takes its place, and the step goes on.
            let victim = try ChildProcess.waitUntil("a worker inside a reduce attempt of step \(step)", timeout: .seconds(90)) { () -> ChildProcess? in
                cluster.workers.first { worker in
                    worker.isRunning
                        && worker.standardError.split(separator: "\n").contains {
                            $0.contains("attempt started") && $0.contains("mr.step=\(step)") && $0.contains("mr.task=reduce ")
                        }
                }
            }
            victim.send(SIGKILL)
            #expect(try victim.waitForExit(timeout: .seconds(10)) == 128 + SIGKILL)
            try cluster.startWorker(environment: ["MR_PROBE_DIR": holds.path], extra: ["--grace-period", "60"])
            try FileManager.default.removeItem(atPath: holds.appending("hold-step-\(step)"))
        }
        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(120)) == 0, "\(cluster.logs)")
        for worker in cluster.workers where worker.isRunning { #expect(try worker.waitForExit(timeout: .seconds(30)) == 0) }
        let difference = try cluster.firstDifference(fromOracle: AnyJob(probeSteps), inputs: inputs, configuration: configuration)
        #expect(difference == nil, "\(difference ?? "")")
        let summary = try JobSummary(readingFrom: OutputDirectory(path: cluster.output))
        #expect(
            summary.steps?.map(\.lostAttempts).allSatisfy { $0 >= 1 } == true,
            "each step lost the killed worker's attempt: \(summary.steps?.map(\.lostAttempts) ?? [])")
    }
}
