import FaultInjection
import Foundation
import Jobs
import MapReduce
import MapReduceTesting
import Testing

/// The classic MapReduce lab's scenarios, run with the real `mr-coordinator` and `mr-worker` executables and
/// checked against the `SequentialRunner`.
@Suite(.serialized) struct DistributedRunTests {
    /// The Gutenberg books when present beside the checkout, else the examples the project ships.
    static var inputs: [String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        for directory in ["\(root)/../shared/data/gutenberg", "\(root)/Examples/WordCount/input"] {
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".txt") }.sorted()
            if !files.isEmpty { return files.map { "\(directory)/\($0)" } }
        }
        return []
    }

    static var examples: [String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let directory = "\(root)/Examples/WordCount/input"
        return ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted().map { "\(directory)/\($0)" }
    }

    /// The oracle: the job's output from the in-process runner.
    func oracle(_ job: AnyJob, _ inputs: [String], reducers: Int) throws -> JobOutput {
        let directory = try TemporaryDirectory(prefix: "oracle")
        try SequentialRunner(configuration: .init(reducers: reducers)).run(job, inputs: inputs, output: directory.appending("out"))
        return try JobOutput(directory: directory.appending("out"))
    }

    /// Waits for the coordinator to succeed and every worker to exit 0, then compares the output with the oracle.
    func expectExactOutput(_ cluster: Cluster, _ job: AnyJob, _ inputs: [String], reducers: Int, timeout: Duration = .seconds(120)) throws {
        let status = try cluster.coordinator.waitForExit(timeout: timeout)
        #expect(status == 0, "coordinator exited \(status)\n\(cluster.logs)")
        for worker in cluster.workers where worker.isRunning {
            #expect(try worker.waitForExit(timeout: .seconds(30)) == 0, "\(cluster.logs)")
        }
        let difference = try JobOutput(directory: cluster.output).firstDifference(from: oracle(job, inputs, reducers: reducers))
        #expect(difference == nil, "\(difference ?? "")\n\(cluster.logs)")
    }

    func summary(_ cluster: Cluster) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(cluster.output)/_summary.json"))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    /// The `<kind> <pid> <start> <end>` records the probe job left.
    func probeCalls(_ directory: String, kind: String) throws -> [(pid: Int, start: Double, end: Double)] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("\(kind)-done-") }.map { name in
            let fields = try String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8).split(separator: " ")
            return (Int(fields[1])!, Double(fields[2])!, Double(fields[3])!)
        }
    }

    func overlapAcrossProcesses(_ calls: [(pid: Int, start: Double, end: Double)]) -> Bool {
        calls.contains { a in calls.contains { b in a.pid != b.pid && a.start < b.end && b.start < a.end } }
    }

    /// Unpunctuated Chinese is one long word per line: its hot key, cut at 200 bytes in the middle of a character,
    /// grew past the coordinator's limit once decoded, and every reduce report was refused.
    @Test func aWordCountOfUnpunctuatedChineseSucceeds() throws {
        let directory = try TemporaryDirectory()
        let lines = (0..<40).map { String(repeating: "我们一起学习中文", count: 10 + $0 % 3) }
        let input = try directory.write("zh.txt", lines.joined(separator: "\n") + "\n")
        let cluster = try Cluster()
        try cluster.startCoordinator(job: "word-count", reducers: 2, inputs: [input])
        try cluster.startWorker()
        try expectExactOutput(cluster, AnyJob(wordCount), [input], reducers: 2, timeout: .seconds(60))
    }

    @Test func wordCountWithThreeWorkersMatchesTheSequentialRunner() throws {
        let cluster = try Cluster()
        try cluster.startCoordinator(job: "word-count", reducers: 10, inputs: Self.inputs, extra: ["--split-size", "256KiB"])
        for _ in 0..<3 { try cluster.startWorker() }
        try expectExactOutput(cluster, AnyJob(wordCount), Self.inputs, reducers: 10)
        #expect(cluster.coordinator.standardOutput.contains("word-count: succeeded"))
        #expect(cluster.coordinator.standardError.contains("succeeded 10/10 tasks · "), "the last progress line, however soon the job ended")
        // Both runners account through the same pipeline: every total but the attempts and the time is the same.
        let directory = try TemporaryDirectory(prefix: "oracle")
        var local = try SequentialRunner(configuration: .init(reducers: 10, splitSize: 256 << 10)).run(
            wordCount, inputs: Self.inputs, output: directory.appending("out"))
        let distributed = try JobSummary(readingFrom: OutputDirectory(path: cluster.output))
        #expect(distributed.mapAttempts >= distributed.mapTasks && distributed.reduceAttempts >= 10)
        (local.mapAttempts, local.reduceAttempts, local.failedAttempts, local.lostAttempts, local.seconds, local.plan) = (
            distributed.mapAttempts, distributed.reduceAttempts, distributed.failedAttempts, distributed.lostAttempts, distributed.seconds,
            distributed.plan
        )
        #expect(distributed.plan != nil, "the job's identity, for a restart on its finished output")
        #expect(local == distributed)
    }

    @Test func invertedIndexWithTwoWorkersMatchesTheSequentialRunner() throws {
        let cluster = try Cluster()
        try cluster.startCoordinator(job: "inverted-index", reducers: 10, inputs: Self.inputs, extra: ["--split-size", "256KiB"])
        for _ in 0..<2 { try cluster.startWorker() }
        try expectExactOutput(cluster, AnyJob(invertedIndex), Self.inputs, reducers: 10)
    }

    @Test func twoWorkersRunMapCallsAtTheSameTime() throws {
        let cluster = try Cluster(.testbed)
        let probes = cluster.directory.appending("probes")
        try FileManager.default.createDirectory(atPath: probes, withIntermediateDirectories: true)
        try cluster.startCoordinator(job: "probe-word-count", reducers: 2, inputs: Self.examples, extra: ["--split-size", "1KiB"])
        for _ in 0..<2 { try cluster.startWorker(environment: ["MR_PROBE_DIR": probes, "MR_PROBE_MAP_SLEEP_MS": "1000"]) }
        try expectExactOutput(cluster, AnyJob(probeWordCount), Self.examples, reducers: 2)
        #expect(overlapAcrossProcesses(try probeCalls(probes, kind: "map")), "no two map calls overlapped")
    }

    @Test func twoWorkersRunReduceCallsAtTheSameTime() throws {
        let cluster = try Cluster(.testbed)
        let probes = cluster.directory.appending("probes")
        try FileManager.default.createDirectory(atPath: probes, withIntermediateDirectories: true)
        try cluster.startCoordinator(job: "probe-word-count", reducers: 2, inputs: Self.examples)
        for _ in 0..<2 { try cluster.startWorker(environment: ["MR_PROBE_DIR": probes, "MR_PROBE_REDUCE_SLEEP_MS": "15"]) }
        try expectExactOutput(cluster, AnyJob(probeWordCount), Self.examples, reducers: 2)
        #expect(overlapAcrossProcesses(try probeCalls(probes, kind: "reduce")), "no two reduce calls overlapped")
    }

    @Test func eachMapTaskRunsOnceWithoutFaultsEvenWhenSlow() throws {
        let cluster = try Cluster(.testbed)
        try cluster.startCoordinator(job: "probe-word-count", reducers: 2, inputs: Self.examples, extra: ["--split-size", "1KiB"])
        for _ in 0..<2 { try cluster.startWorker(environment: ["MR_PROBE_MAP_SLEEP_MS": "5000"]) }
        try expectExactOutput(cluster, AnyJob(probeWordCount), Self.examples, reducers: 2)
        let summary = try summary(cluster)
        #expect(summary["mapAttempts"] as? Int == summary["mapTasks"] as? Int)
        #expect(summary["reduceAttempts"] as? Int == 2)
    }

    @Test func noWorkerExitsBeforeTheOutputIsFinal() throws {
        let cluster = try Cluster(.testbed)
        try cluster.startCoordinator(job: "word-count", reducers: 5, inputs: Self.inputs, extra: ["--split-size", "256KiB"])
        for _ in 0..<3 { try cluster.startWorker() }
        let success = "\(cluster.output)/_SUCCESS"
        try ChildProcess.waitUntil("the coordinator to exit", timeout: .seconds(120)) { () -> Bool? in
            for worker in cluster.workers where !worker.isRunning {
                #expect(FileManager.default.fileExists(atPath: success), "a worker exited before _SUCCESS was written")
            }
            return cluster.coordinator.isRunning ? nil : true
        }
        try expectExactOutput(cluster, AnyJob(wordCount), Self.inputs, reducers: 5)
    }

    @Test(arguments: ["map", "reduce"])
    func workerKilledInTheMiddleOfATaskIsReplaced(phase: String) throws {
        let cluster = try Cluster(.testbed)
        let probes = cluster.directory.appending("probes")
        try FileManager.default.createDirectory(atPath: probes, withIntermediateDirectories: true)
        try cluster.startCoordinator(
            job: "probe-word-count", reducers: 2, inputs: Self.examples, extra: ["--split-size", "1KiB", "--lease-timeout", "2"])
        let sleepVariable = phase == "map" ? "MR_PROBE_MAP_SLEEP_MS" : "MR_PROBE_REDUCE_SLEEP_MS"
        let victim = try cluster.startWorker(environment: ["MR_PROBE_DIR": probes, sleepVariable: "60000"])
        try ChildProcess.waitUntil("the victim to enter a \(phase) call", timeout: .seconds(60)) {
            try FileManager.default.contentsOfDirectory(atPath: probes).first { $0.hasPrefix("\(phase)-started-\(victim.pid)-") }
        }
        victim.send(SIGKILL)
        #expect(try victim.waitForExit(timeout: .seconds(10)) == 128 + SIGKILL)
        try cluster.startWorker()
        try expectExactOutput(cluster, AnyJob(probeWordCount), Self.examples, reducers: 2)
        let summary = try summary(cluster)
        let key = phase == "map" ? "mapAttempts" : "reduceAttempts"
        let tasks = phase == "map" ? summary["mapTasks"] as! Int : 2
        #expect((summary[key] as? Int ?? 0) > tasks, "the killed worker's task must have run again")
    }

    @Test func crashingAndStallingWorkersStillProduceExactOutput() throws {
        let cluster = try Cluster(.testbed)
        try cluster.startCoordinator(
            job: "crash-word-count", reducers: 5, inputs: Self.examples + Self.inputs,
            // As in the lab: about eight map tasks (the lab's eight books), each attempt crashing (one in three) or
            // stalling up to 10 s (one in three). Crashes count toward the attempt limit: with 10 attempts a task
            // fails the job once in 59,000.
            extra: ["--split-size", "512KiB", "--lease-timeout", "2", "--max-attempts", "10"])
        let clock = ContinuousClock()
        let start = clock.now
        var respawned = 0
        // Keep three workers alive, replacing each one that crashes, until the coordinator is done.
        for _ in 0..<3 { try cluster.startWorker(extra: ["--grace-period", "10"]) }
        try ChildProcess.waitUntil("the crash job to finish", timeout: .seconds(120)) { () -> Bool? in
            guard cluster.coordinator.isRunning else { return true }
            let alive = cluster.workers.filter(\.isRunning).count
            for _ in alive..<3 {
                try cluster.startWorker(extra: ["--grace-period", "10"])
                respawned += 1
            }
            return nil
        }
        #expect(clock.now - start < .seconds(120))
        let status = try cluster.coordinator.waitForExit(timeout: .seconds(5))
        #expect(status == 0, "\(cluster.logs)")
        let difference = try JobOutput(directory: cluster.output).firstDifference(from: oracle(AnyJob(wordCount), Self.examples + Self.inputs, reducers: 5))
        #expect(difference == nil, "\(difference ?? "")")
        print("crash test: \(respawned) workers respawned")
    }
}

@Suite(.serialized) struct FailingJobTests {
    @Test func aTaskThatKeepsFailingFailsTheJobWithAReport() throws {
        let cluster = try Cluster(.testbed)
        try cluster.startCoordinator(
            job: "probe-word-count", reducers: 1, inputs: DistributedRunTests.examples, extra: ["--max-attempts", "3"])
        // Each failing call takes a second, so both workers are live (registered) before the first retry.
        for _ in 0..<2 { try cluster.startWorker(environment: ["MR_PROBE_MAP_THROW": "bad record ahead", "MR_PROBE_MAP_SLEEP_MS": "1000"]) }
        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(60)) == 1)
        let report = cluster.coordinator.standardError
        #expect(report.contains("job failed: map 0 failed or was lost 3 times"), "\(report)")
        #expect(report.contains("bad record ahead"), "\(report)")
        #expect(report.contains("line 1 (byte 0) of '"), "the report names the input location: \(report)")
        let workers = Set(report.split(separator: "\n").filter { $0.contains(" on worker ") }.map { $0.split(separator: " on ")[1].split(separator: ":")[0] })
        #expect(workers.count == 2, "the retry ran on the other worker: \(report)")
        #expect(!FileManager.default.fileExists(atPath: "\(cluster.output)/_SUCCESS"))
        for worker in cluster.workers { #expect(try worker.waitForExit(timeout: .seconds(30)) == 0) }
    }
}

@Suite(.serialized) struct LostIntermediateFileTests {
    enum Fault: String, CaseIterable {
        case corrupt, truncate, delete
    }

    @Test(arguments: Fault.allCases)
    func damagedMapOutputIsDetectedAndItsMapTaskRunsAgain(fault: Fault) throws {
        let cluster = try Cluster(.testbed)
        let inputs = DistributedRunTests.examples
        let probes = try TemporaryDirectory(prefix: "probes")
        try cluster.startCoordinator(job: "probe-word-count", reducers: 1, inputs: inputs, extra: ["--split-size", "1KiB"])
        // One worker runs the map tasks in order; the first map call on the last file sleeps, and by then map 0 is
        // committed: its output is damaged before the reduce task reads it.
        let slowFile = URL(fileURLWithPath: try #require(inputs.last)).lastPathComponent
        let worker = try cluster.startWorker(environment: [
            "MR_PROBE_DIR": probes.path, "MR_PROBE_SLOW_FIRST_FILE": slowFile, "MR_PROBE_SLOW_FIRST_MS": "1500",
        ])
        try ChildProcess.waitUntil("the slow map call", timeout: .seconds(60)) {
            FileManager.default.fileExists(atPath: probes.appending("slow-first-\(slowFile)")) ? true : nil
        }
        let jobs = "\(cluster.shared)/jobs"
        let job = "\(jobs)/\(try #require(try FileManager.default.contentsOfDirectory(atPath: jobs).first))"
        let file = try #require(try FileManager.default.contentsOfDirectory(atPath: "\(job)/map").first { $0.hasPrefix("0-attempt-") && $0.hasSuffix(".mri") })
        let victim = "\(job)/map/\(file)"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: victim)))
        switch fault {
        case .corrupt:
            bytes[bytes.count / 2] ^= 0x5A
            try Data(bytes).write(to: URL(fileURLWithPath: victim))
        case .truncate:
            try Data(bytes.prefix(bytes.count / 2)).write(to: URL(fileURLWithPath: victim))
        case .delete:
            try FileManager.default.removeItem(atPath: victim)
        }
        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(60)) == 0, "\(cluster.logs)")
        #expect(try worker.waitForExit(timeout: .seconds(30)) == 0)
        #expect(try cluster.firstDifference(fromOracle: AnyJob(wordCount), inputs: inputs, configuration: .init(reducers: 1, splitSize: 1024)) == nil)
        #expect(worker.standardError.contains("intermediate file '\(victim)'"), "the failure names the file: \(worker.standardError)")
        let summary = try JobSummary(readingFrom: OutputDirectory(path: cluster.output))
        #expect(summary.mapAttempts == summary.mapTasks + 1, "exactly the damaged map ran again")
        #expect(summary.reduceAttempts == 2)
        #expect(summary.failedAttempts == 0, "a lost input is not the reduce's failure")
    }
}

@Suite(.serialized) struct CoordinatorRestartTests {
    /// The journal's entries of `event`, as (task, line) pairs.
    func journalTasks(_ journal: String, event: String) -> [Int] {
        let text = (try? String(contentsOfFile: journal, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let entry = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], entry["event"] as? String == event else {
                return nil
            }
            return entry["task"] as? Int
        }
    }

    @Test(arguments: ["map", "reduce"])
    func coordinatorKilledAndRestartedResumesWithoutRedoingCommittedTasks(phase: String) throws {
        let cluster = try Cluster(.testbed)
        let inputs = DistributedRunTests.examples
        let probes = cluster.directory.appending("probes")
        try FileManager.default.createDirectory(atPath: probes, withIntermediateDirectories: true)
        let port = try Cluster.freePort()
        let arguments = ["--split-size", "1KiB", "--lease-timeout", "3"]
        try cluster.startCoordinator(job: "probe-word-count", reducers: 3, inputs: inputs, extra: arguments, port: port)
        let slow = phase == "map" ? ["MR_PROBE_MAP_SLEEP_MS": "700"] : ["MR_PROBE_REDUCE_SLEEP_MS": "25"]
        let worker = try cluster.startWorker(environment: ["MR_PROBE_DIR": probes].merging(slow) { $1 }, extra: ["--grace-period", "60"])

        let jobs = "\(cluster.shared)/jobs"
        let job = try ChildProcess.waitUntil("the job directory", timeout: .seconds(30)) {
            try? FileManager.default.contentsOfDirectory(atPath: jobs).first.map { "\(jobs)/\($0)" }
        }
        let journal = "\(job)/journal"
        let mapTasks = try #require(try JobPlan.read(from: job)).mapTasks
        try ChildProcess.waitUntil("a \(phase) task to commit", timeout: .seconds(60)) {
            journalTasks(journal, event: "\(phase)-committed").isEmpty ? nil : true
        }
        cluster.coordinator.send(SIGKILL)
        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(10)) == 128 + SIGKILL)
        let committedMaps = Set(journalTasks(journal, event: "map-committed"))
        let committedReduces = Set(journalTasks(journal, event: "reduce-committed"))

        try cluster.startCoordinator(job: "probe-word-count", reducers: 3, inputs: inputs, extra: arguments, port: port)
        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(90)) == 0, "\(cluster.logs)")
        #expect(try worker.waitForExit(timeout: .seconds(30)) == 0, "the worker reconnected by itself")
        let oracle = try TemporaryDirectory(prefix: "oracle")
        try SequentialRunner(configuration: .init(reducers: 3)).run(probeWordCount, inputs: inputs, output: oracle.appending("o"))
        #expect(try JobOutput(directory: cluster.output).firstDifference(from: JobOutput(directory: oracle.appending("o"))) == nil)

        // Each map call records its file: a map task committed before the kill ran exactly once.
        let mapCalls = try FileManager.default.contentsOfDirectory(atPath: probes).filter { $0.hasPrefix("map-done-") }.map { name in
            String(try String(contentsOfFile: "\(probes)/\(name)", encoding: .utf8).split(separator: " ")[4].trimmingCharacters(in: .whitespacesAndNewlines))
        }
        for task in committedMaps {
            let file = mapTasks[task][0].file.path
            #expect(mapCalls.count { $0 == file } == 1, "map \(task) (\(file)) was committed before the kill and must not run again")
        }
        if phase == "reduce" { #expect(mapCalls.count == mapTasks.count, "no map task ran twice") }
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(cluster.output)/_summary.json"))) as! [String: Any]
        #expect((summary["reduceAttempts"] as! Int) <= 3 - committedReduces.count + 1, "committed reduces were not redone")
        #expect(cluster.coordinator.standardError.contains("resumed from journal"))
        // The history spans both coordinators: `report` shows every task committed, each exactly once.
        let history = try String(contentsOfFile: "\(cluster.output)/_events.jsonl", encoding: .utf8)
        #expect(history.components(separatedBy: #""kind":"job-started""#).count == 3, "one start per coordinator")
        let report = try ChildProcess(
            "\(Cluster.binaryDirectory)/mr-testbed", ["report", "--json", cluster.output], errorLog: cluster.directory.appending("report.log"))
        #expect(try report.waitForExit(timeout: .seconds(30)) == 0)
        let overview = try JSONSerialization.jsonObject(with: Data(report.standardOutput.utf8)) as? [String: Any] ?? [:]
        #expect(overview["phase"] as? String == "succeeded")
        #expect((overview["maps"] as? [String: Int])?["committed"] == mapTasks.count)
        #expect((overview["reduces"] as? [String: Int])?["committed"] == 3)
    }
}

@Suite(.serialized) struct StragglerTests {
    @Test func aSlowMapTaskGetsABackupAndTheJobEndsLongBeforeIt() throws {
        let cluster = try Cluster(.testbed)
        let inputs = DistributedRunTests.examples
        let probes = cluster.directory.appending("probes")
        try FileManager.default.createDirectory(atPath: probes, withIntermediateDirectories: true)
        let clock = ContinuousClock()
        let start = clock.now
        try cluster.startCoordinator(job: "probe-word-count", reducers: 2, inputs: inputs, extra: ["--split-size", "1KiB"])
        // Every map call takes 0.5 s, but the first attempt on lighthouse.txt takes 20 times longer.
        let environment = [
            "MR_PROBE_DIR": probes, "MR_PROBE_MAP_SLEEP_MS": "500", "MR_PROBE_SLOW_FIRST_FILE": "lighthouse.txt", "MR_PROBE_SLOW_FIRST_MS": "10000",
        ]
        for _ in 0..<2 { try cluster.startWorker(environment: environment) }
        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(60)) == 0, "\(cluster.logs)")
        let elapsed = clock.now - start
        #expect(elapsed < .seconds(8), "the job took \(elapsed); the slow attempt alone takes 10 s")
        for worker in cluster.workers { #expect(try worker.waitForExit(timeout: .seconds(15)) == 0, "\(cluster.logs)") }
        #expect(cluster.logs.contains("attempt abandoned"), "the losing attempt's worker stopped waiting for it")

        let oracle = try TemporaryDirectory(prefix: "oracle")
        let expected = try SequentialRunner(configuration: .init(reducers: 2, splitSize: 1024)).run(
            probeWordCount, inputs: inputs, output: oracle.appending("o"))
        #expect(try JobOutput(directory: cluster.output).firstDifference(from: JobOutput(directory: oracle.appending("o"))) == nil)
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(cluster.output)/_summary.json"))) as! [String: Any]
        #expect(summary["mapAttempts"] as? Int == (summary["mapTasks"] as! Int) + 1, "exactly one backup")
        #expect((summary["inputRecords"] as? NSNumber)?.int64Value == expected.inputRecords, "input lines counted once, not per attempt")
        // Both attempts of the slow task counted its file; only the committed one counts.
        let counters = summary["counters"] as? [String: Int]
        #expect(counters == ["files-started": 3, "keys": Int(expected.outputRecords)], "\(String(describing: counters))")
        #expect(expected.counters == ["files-started": 3, "keys": expected.outputRecords])
        #expect(cluster.coordinator.standardOutput.contains("counters: files-started=3, keys=\(expected.outputRecords)"))
    }
}

@Suite(.serialized) struct BadRecordTests {
    @Test func badRecordsAreSkippedListedAndCountedInADistributedRun() throws {
        let inputs = DistributedRunTests.examples
        let prefix = "The "
        // The independent expectation: word count over the inputs without the bad lines, and those lines' offsets.
        let filtered = try TemporaryDirectory(prefix: "filtered")
        var expectedBad: [BadRecord] = []
        var filteredFiles: [String] = []
        for path in inputs {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            var offset: Int64 = 0
            var kept: [Substring] = []
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().enumerated() {
                if line.hasPrefix(prefix) {
                    expectedBad.append(BadRecord(file: path, line: Int64(index + 1), offset: offset, error: "bad line"))
                } else {
                    kept.append(line)
                }
                offset += Int64(line.utf8.count + 1)
            }
            filteredFiles.append(try filtered.write((path as NSString).lastPathComponent, kept.joined(separator: "\n") + "\n"))
        }
        #expect(expectedBad.count >= 3)
        let oracle = try TemporaryDirectory(prefix: "oracle")
        try SequentialRunner(configuration: .init(reducers: 2)).run(wordCount, inputs: filteredFiles, output: oracle.appending("o"))

        let cluster = try Cluster(.testbed)
        try cluster.startCoordinator(
            job: "probe-word-count", reducers: 2, inputs: inputs, extra: ["--split-size", "1KiB", "--skip-bad-records", "\(expectedBad.count)"])
        for _ in 0..<2 { try cluster.startWorker(environment: ["MR_PROBE_BAD_PREFIX": prefix]) }
        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(60)) == 0, "\(cluster.logs)")
        #expect(try JobOutput(directory: cluster.output).firstDifference(from: JobOutput(directory: oracle.appending("o"))) == nil)
        let listed = try String(contentsOfFile: "\(cluster.output)/_bad_records.jsonl", encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(BadRecord.self, from: Data($0.utf8))
        }
        #expect(Set(listed) == Set(expectedBad))
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(cluster.output)/_summary.json"))) as! [String: Any]
        #expect(summary["skippedRecords"] as? Int == expectedBad.count)
    }

    @Test func moreBadRecordsThanAllowedFailTheJob() throws {
        let cluster = try Cluster(.testbed)
        try cluster.startCoordinator(
            job: "probe-word-count", reducers: 1, inputs: DistributedRunTests.examples, extra: ["--split-size", "1KiB", "--skip-bad-records", "1"])
        try cluster.startWorker(environment: ["MR_PROBE_BAD_PREFIX": "The "])
        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(60)) == 1)
        #expect(cluster.coordinator.standardError.contains("--skip-bad-records"), "\(cluster.coordinator.standardError)")
        #expect(!FileManager.default.fileExists(atPath: "\(cluster.output)/_SUCCESS"))
    }
}
