import FaultInjection
import Foundation
import Jobs
import MapReduce
import MapReduceRuntime
import MapReduceTesting
import Testing

/// Faults outside the scripted ones (issue: "nothing hangs, nothing is silently wrong"): each ends with the exact
/// output, or with a clear failure, in bounded time. Real processes, real files, deadlines instead of sleeps.
@Suite(.serialized) struct FailureModelTests {
    static let examples = DistributedRunTests.examples

    func oracle(_ job: AnyJob, _ inputs: [String], reducers: Int, splitSize: Int64 = 64 << 20) throws -> JobOutput {
        let directory = try TemporaryDirectory(prefix: "oracle")
        try SequentialRunner(configuration: .init(reducers: reducers, splitSize: splitSize)).run(job, inputs: inputs, output: directory.appending("out"))
        return try JobOutput(directory: directory.appending("out"))
    }

    func expectSuccess(_ cluster: Cluster, equalTo expected: JobOutput, timeout: Duration = .seconds(60)) throws {
        let status = try cluster.coordinator.waitForExit(timeout: timeout)
        #expect(status == 0, "coordinator exited \(status)\n\(cluster.logs)")
        let difference = try JobOutput(directory: cluster.output).firstDifference(from: expected)
        #expect(difference == nil, "\(difference ?? "")\n\(cluster.logs)")
    }

    func summary(_ cluster: Cluster) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(cluster.output)/_summary.json"))) as? [String: Any] ?? [:]
    }

    /// POSTs `body` to the coordinator, with `credential` if given; returns the answer's body.
    @discardableResult
    func post(_ cluster: Cluster, _ path: String, _ body: String, credential: String? = nil) throws -> String {
        try Connection(to: cluster).request("POST", path, body: body, bearer: credential)
    }

    // 1. Relative input paths were resolved in each worker's working directory.
    @Test func relativeInputsAreReadWhereTheCoordinatorFoundThem() throws {
        let cluster = try Cluster(.testbed)
        let here = try TemporaryDirectory(prefix: "coordinator-cwd")
        let elsewhere = try TemporaryDirectory(prefix: "worker-cwd")
        try FileManager.default.createDirectory(atPath: here.appending("in"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: elsewhere.appending("in"), withIntermediateDirectories: true)
        let real = try here.write("in/a.txt", "the real input is here and here\n")
        _ = try elsewhere.write("in/a.txt", "a decoy a worker must never read\n")
        try cluster.startCoordinator(job: "word-count", reducers: 2, inputs: ["in/a.txt"], workingDirectory: here.path)
        try cluster.startWorker(workingDirectory: elsewhere.path)
        try expectSuccess(cluster, equalTo: oracle(AnyJob(wordCount), [real], reducers: 2))
    }

    // 2. An input truncated after planning gave fewer records and exit 0.
    @Test func anInputChangedAfterPlanningFailsTheJobNamingIt() throws {
        let cluster = try Cluster(.testbed)
        let inputs = try TemporaryDirectory(prefix: "inputs")
        let victim = try inputs.write("a.txt", String(repeating: "one two three\n", count: 500))
        try cluster.startCoordinator(job: "word-count", reducers: 1, inputs: [victim])
        let jobs = "\(cluster.shared)/jobs"
        try ChildProcess.waitUntil("the plan", timeout: .seconds(30)) {
            (try? FileManager.default.contentsOfDirectory(atPath: jobs))?.first.map { FileManager.default.fileExists(atPath: "\(jobs)/\($0)/job.json") }
                == true ? true : nil
        }
        try Data("one two\n".utf8).write(to: URL(fileURLWithPath: victim))
        try cluster.startWorker()
        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(60)) == 1, "\(cluster.logs)")
        let report = cluster.coordinator.standardError
        #expect(report.contains("input '\(victim)' changed after the job was planned"), "\(report)")
        #expect(!FileManager.default.fileExists(atPath: "\(cluster.output)/_SUCCESS"))
    }

    // 2. A FIFO among the inputs hung planning.
    /// A gzipped log (what logrotate writes) was read as raw bytes: garbage records, no output, exit 0. A `.gz` input
    /// is read (its words counted exactly, distributed as locally); gzip data under another name, or bzip2 data, is
    /// refused at planning naming the file and the format.
    @Test func aGzippedInputIsReadAndCompressedDataUnderAnotherNameIsRefused() throws {
        let cluster = try Cluster(.testbed)
        let directory = cluster.directory
        let log = directory.appending("app.log.1.gz")
        let plain = directory.appending("app.log.1")
        try Data((0..<2000).map { "error \($0 % 7) at line \($0)\n" }.joined().utf8).write(to: URL(fileURLWithPath: plain))
        let gzip = try ChildProcess("/bin/sh", ["-c", "gzip -c '\(plain)' > '\(log)'"], errorLog: directory.appending("gzip.log"))
        #expect(try gzip.waitForExit(timeout: .seconds(20)) == 0)
        try cluster.startCoordinator(job: "word-count", reducers: 2, inputs: [log])
        try cluster.startWorker()
        try expectSuccess(cluster, equalTo: oracle(AnyJob(wordCount), [plain], reducers: 2))
        let renamed = directory.appending("app.log.2")
        try FileManager.default.copyItem(atPath: log, toPath: renamed)
        let local = try ChildProcess(
            "\(Cluster.binaryDirectory)/mr-local", ["--job", "word-count", "--output", directory.appending("local"), renamed],
            errorLog: directory.appending("local.log"))
        #expect(try local.waitForExit(timeout: .seconds(20)) == 64)
        let message = "input '\(renamed)' is gzip-compressed data, which would be read as garbage: name it with the .gz ending"
        #expect(local.standardError.contains(message), "\(local.standardError)")
        #expect(!FileManager.default.fileExists(atPath: directory.appending("local/_SUCCESS")))
    }

    @Test func aFIFOAmongTheInputsIsRefusedBeforeAnythingStarts() throws {
        let cluster = try Cluster(.testbed)
        let fifo = cluster.directory.appending("pipe")
        #expect(mkfifo(fifo, 0o644) == 0)
        let coordinator = try ChildProcess(
            "\(Cluster.binaryDirectory)/mr-coordinator",
            ["--job", "word-count", "--shared-dir", cluster.shared, "--output", cluster.output, fifo], errorLog: cluster.directory.appending("c.log"))
        #expect(try coordinator.waitForExit(timeout: .seconds(20)) == 64)
        #expect(coordinator.standardError.contains("input '\(fifo)' is a FIFO (named pipe); inputs must be regular files"), "\(coordinator.standardError)")
        let local = try ChildProcess(
            "\(Cluster.binaryDirectory)/mr-local", ["--job", "word-count", "--output", cluster.directory.appending("local"), fifo],
            errorLog: cluster.directory.appending("l.log"))
        #expect(try local.waitForExit(timeout: .seconds(20)) == 64)
    }

    // 3. The shared directory on one filesystem and the output on another hung forever (the rename failed).
    @Test func outputOnAnotherFilesystemThanTheSharedDirectoryIsCommitted() throws {
        let memory = try TemporaryDirectory(prefix: "shm", in: "/dev/shm")
        var sharedInfo = stat()
        var outputInfo = stat()
        let cluster = try Cluster(.testbed)
        guard stat(memory.path, &sharedInfo) == 0, stat(cluster.directory.path, &outputInfo) == 0, sharedInfo.st_dev != outputInfo.st_dev else {
            print("skipped: /dev/shm and the temporary directory are on one filesystem here")
            return
        }
        // What a coordinator killed while copying a part file in leaves (review item 2: the copy was named
        // `part-00000.tmp-…`, so `cat OUTPUT/part-*` read it as output): a restart removes it.
        try FileManager.default.createDirectory(atPath: cluster.output, withIntermediateDirectories: true)
        try String(repeating: "partial ", count: 1000).write(toFile: "\(cluster.output)/.part-00000.tmp-4242-1", atomically: false, encoding: .utf8)
        try cluster.startCoordinator(job: "word-count", reducers: 3, inputs: Self.examples, shared: memory.appending("shared"))
        try cluster.startWorker()
        try expectSuccess(cluster, equalTo: oracle(AnyJob(wordCount), Self.examples, reducers: 3))
        let names = try FileManager.default.contentsOfDirectory(atPath: cluster.output).sorted()
        #expect(names == ["_SUCCESS", "_events.jsonl", "_summary.json", "part-00000", "part-00001", "part-00002"], "\(names)")
    }

    // 4. A lost report left its attempt running forever: leases belonged to workers, and any call renewed them.
    @Test func anAttemptNeverHeartbeatedIsLostEvenWhileItsWorkerKeepsCalling() throws {
        let cluster = try Cluster(.testbed)
        try cluster.startCoordinator(job: "word-count", reducers: 1, inputs: Self.examples, extra: ["--lease-timeout", "2"])
        // A worker takes a task, then its completion is lost: it stays alive (heartbeats without the attempt)
        // but never reports or heartbeats the attempt.
        let registration = try JSONDecoder().decode(Registration.self, from: Data(try post(cluster, "/v1/register", #"{"name":"forgetful"}"#).utf8))
        let me = registration.worker.rawValue
        let assignment = try post(cluster, "/v1/task", #"{"worker":"\#(me)"}"#, credential: registration.credential)
        #expect(assignment.contains(#""action":"run""#), "\(assignment)")
        try cluster.startWorker()
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        while cluster.coordinator.isRunning, clock.now < deadline {
            do {
                try post(cluster, "/v1/heartbeat", #"{"worker":"\#(me)","attempt":null}"#, credential: registration.credential)
            } catch {
                // The job may end between the check above and this call, and the coordinator exits as it ends: a
                // connection refused then means it is gone, which is no failure; one refused while it runs is.
                guard (try? cluster.coordinator.waitForExit(timeout: .seconds(5))) != nil else { throw error }
                break
            }
            _ = try? cluster.coordinator.waitForExit(timeout: .milliseconds(300))
        }
        try expectSuccess(cluster, equalTo: oracle(AnyJob(wordCount), Self.examples, reducers: 1), timeout: .seconds(5))
        #expect(try summary(cluster)["lostAttempts"] as? Int == 1, "\(cluster.logs)")
    }

    // 4. A completion refused as too large (413) was dropped by its worker: the attempt stayed "running" forever.
    @Test func aCompletionTheCoordinatorRefusesFailsItsAttemptInsteadOfVanishing() throws {
        let cluster = try Cluster(.testbed)
        try cluster.startCoordinator(job: "probe-word-count", reducers: 1, inputs: [Self.examples[0]], extra: ["--max-attempts", "2"])
        // 150,000 counters make a completion of about 4 MB, over the coordinator's 2 MiB request limit.
        try cluster.startWorker(environment: ["MR_PROBE_COUNTERS": "150000"])
        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(60)) == 1, "\(cluster.logs)")
        let report = cluster.coordinator.standardError
        #expect(report.contains("map 0 failed or was lost 2 times"), "\(report)")
        #expect(report.contains("the coordinator refused its completion: coordinator answered 413"), "\(report)")
    }

    // 5. A record that killed every worker reading it re-ran forever while workers were respawned.
    @Test func aRecordThatKillsEveryWorkerFailsTheJobWithAReportNamingItsSplit() throws {
        let cluster = try Cluster(.testbed)
        let inputs = try TemporaryDirectory(prefix: "inputs")
        let poisoned = try inputs.write("poisoned.txt", "a fine line\nPOISON this line kills its reader\nanother line\n")
        try cluster.startCoordinator(job: "probe-word-count", reducers: 1, inputs: [poisoned], extra: ["--lease-timeout", "1", "--max-attempts", "3"])
        // A supervisor that respawns every worker that dies, as systemd or Kubernetes would.
        try ChildProcess.waitUntil("the job to fail", timeout: .seconds(60)) { () -> Bool? in
            guard cluster.coordinator.isRunning else { return true }
            if cluster.workers.filter(\.isRunning).isEmpty { try cluster.startWorker(environment: ["MR_PROBE_EXIT_PREFIX": "POISON"]) }
            return nil
        }
        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(5)) == 1)
        let report = cluster.coordinator.standardError
        #expect(report.contains("map 0 failed or was lost 3 times"), "\(report)")
        #expect(report.contains("map 0 reads \(poisoned)[0..<"), "the report names the task's split: \(report)")
        // Lost when its connection closed, or by its lease if it died before its connection was open.
        #expect(report.contains("(lost): the connection of") || report.contains("(lost): no heartbeat"), "\(report)")
    }

    // 5. A 100 MB line was read whole into memory; now a record over --max-record-size is named, or skipped.
    @Test func aRecordLongerThanTheLimitIsNamedOrSkippedAndListed() throws {
        let directory = try TemporaryDirectory(prefix: "long-record")
        let long = String(repeating: "x", count: 5000)
        let input = try directory.write("in.txt", "short line one\n\(long)\nshort line two\n")
        let run = { (name: String, extra: [String]) throws -> ChildProcess in
            let local = try ChildProcess(
                "\(Cluster.binaryDirectory)/mr-local",
                ["--job", "word-count", "--output", directory.appending(name), "--max-record-size", "1KiB"] + extra + [input],
                errorLog: directory.appending("\(name).log"))
            try local.waitForExit(timeout: .seconds(30))
            return local
        }
        let failing = try run("failing", [])
        #expect(try failing.waitForExit(timeout: .seconds(1)) == 1)
        #expect(
            failing.standardError.contains("line 2 (byte 15) of '\(input)' is longer than the maximum record size of 1024 bytes"), "\(failing.standardError)")
        let skipping = try run("skipping", ["--skip-bad-records", "1"])
        #expect(try skipping.waitForExit(timeout: .seconds(1)) == 0, "\(skipping.standardError)")
        let expected = try oracle(AnyJob(wordCount), [try directory.write("without.txt", "short line one\nshort line two\n")], reducers: 1)
        #expect(try JobOutput(directory: directory.appending("skipping")).firstDifference(from: expected) == nil)
        let listed = try String(contentsOfFile: directory.appending("skipping/_bad_records.jsonl"), encoding: .utf8)
        #expect(listed.contains(#""line":2"#) && listed.contains(#""offset":15"#), "\(listed)")
    }

    /// Review item 4: a worker stopped (SIGSTOP) mid-map and continued after its job ended wrote its map output into
    /// a freshly recreated `jobs/<job>/map/…`, left there for good. An attempt never creates the plan's directory or
    /// anything above it: the late worker fails its attempt, and the shared directory stays clean.
    @Test func aWorkerContinuedAfterItsJobEndedRecreatesNothing() throws {
        let cluster = try Cluster(.testbed)
        try cluster.startCoordinator(
            job: "probe-word-count", reducers: 1, inputs: Self.examples, extra: ["--split-size", "1KiB", "--lease-timeout", "1"])
        let probes = try TemporaryDirectory(prefix: "probes")
        let first = URL(fileURLWithPath: try #require(Self.examples.first)).lastPathComponent
        let late = try cluster.startWorker(
            environment: ["MR_PROBE_DIR": probes.path, "MR_PROBE_SLOW_FIRST_FILE": first, "MR_PROBE_SLOW_FIRST_MS": "1000"],
            extra: ["--grace-period", "2"])
        try ChildProcess.waitUntil("the late worker's first map call", timeout: .seconds(60)) {
            FileManager.default.fileExists(atPath: probes.appending("slow-first-\(first)")) ? true : nil
        }
        late.send(SIGSTOP)
        defer { late.send(SIGCONT) }
        try cluster.startWorker(environment: ["MR_PROBE_DIR": probes.path])
        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(60)) == 0, "\(cluster.logs)")
        let jobs = "\(cluster.shared)/jobs"
        let left = { (try? FileManager.default.subpathsOfDirectory(atPath: jobs)) ?? [] }
        #expect(left().isEmpty, "the job's directory is removed at its end: \(left())")
        late.send(SIGCONT)
        #expect(try late.waitForExit(timeout: .seconds(30)) != 0)
        #expect(left().isEmpty, "the late worker recreated: \(left())")
        #expect(late.standardError.contains("below a job directory that is not there"), "\(late.standardError)")
    }

    // 6. A worker whose shared directory was a different (empty) mount made the others re-run maps without end;
    // alone, it failed every attempt of the first task and so the job (issue 23).
    @Test func aWorkerThatSeesAnotherSharedDirectoryStopsAtRegistrationAndTheJobSucceeds() throws {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") else {
            print("skipped: needs root and unshare(1) to give a worker its own mount namespace")
            return
        }
        let cluster = try Cluster(.testbed)
        try cluster.startCoordinator(job: "probe-word-count", reducers: 2, inputs: Self.examples, extra: ["--split-size", "1KiB"])
        // The blind worker alone first, in its own mount namespace with an empty tmpfs over the shared directory (a
        // missing mount): the registration's handshake stops it before it is given any task.
        let shared = cluster.shared
        let blind = try cluster.startWorker(wrapper: { executable, arguments in
            (
                "/usr/bin/unshare",
                ["--mount", "--propagation", "private", "/bin/sh", "-c", #"mount -t tmpfs tmpfs "$0" && exec "$@""#, shared, executable] + arguments
            )
        })
        #expect(try blind.waitForExit(timeout: .seconds(60)) != 0)
        #expect(blind.standardError.contains("the shared directory this worker sees is not its coordinator's"), "\(blind.standardError)")
        #expect(blind.standardError.contains("a missing or different mount at that path?"), "\(blind.standardError)")
        // It ran nothing, so nothing failed; a good worker then runs the whole job.
        try cluster.startWorker()
        try expectSuccess(cluster, equalTo: oracle(AnyJob(wordCount), Self.examples, reducers: 2, splitSize: 1024))
        let summary = try summary(cluster)
        #expect(summary["failedAttempts"] as? Int == 0 && summary["lostAttempts"] as? Int == 0, "\(summary)")
        #expect(cluster.coordinator.standardError.contains("worker stopping"), "the blind worker gave its place back: \(cluster.logs)")
    }

    // 7. An error while writing _summary.json left the coordinator running forever.
    @Test func anErrorWhileFinishingFailsTheJobInsteadOfHanging() throws {
        let cluster = try Cluster(.testbed)
        try cluster.startCoordinator(job: "word-count", reducers: 1, inputs: Self.examples)
        // A directory where the summary must go: the rename onto it fails.
        try FileManager.default.createDirectory(atPath: "\(cluster.output)/_summary.json/in-the-way", withIntermediateDirectories: true)
        try cluster.startWorker()
        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(30)) == 1, "\(cluster.logs)")
        let report = cluster.coordinator.standardError
        #expect(report.contains("every task committed, but the output's metadata could not be written"), "\(report)")
        #expect(report.contains("_summary.json"), "\(report)")
        #expect(!FileManager.default.fileExists(atPath: "\(cluster.output)/_SUCCESS"))
    }

    // 8. `--output out` and `--output out/` were two jobs writing one output.
    @Test(arguments: ["output/", "./output", "output"])
    func aSecondCoordinatorForTheSameOutputIsRefusedNamingTheFirst(secondOutput: String) throws {
        let cluster = try Cluster(.testbed)
        let here = cluster.directory.path
        try cluster.startCoordinator(job: "word-count", reducers: 1, inputs: Self.examples, output: "output", workingDirectory: here)
        let second = try ChildProcess(
            "\(Cluster.binaryDirectory)/mr-coordinator",
            ["--job", "word-count", "--shared-dir", cluster.shared, "--output", secondOutput] + Self.examples, workingDirectory: here,
            errorLog: cluster.directory.appending("second.log"))
        #expect(try second.waitForExit(timeout: .seconds(20)) == 64)
        #expect(second.standardError.contains("pid \(cluster.coordinator.pid)"), "\(second.standardError)")
        #expect(second.standardError.contains("another coordinator"), "\(second.standardError)")
        try cluster.startWorker()
        try expectSuccess(cluster, equalTo: oracle(AnyJob(wordCount), Self.examples, reducers: 1))
    }

    /// Review item 14: the shipped Kubernetes Job restarts a coordinator killed during `--linger`, and both it and the
    /// systemd unit take 64 for a failed job; a restart on the finished job was refused with 64. With the same
    /// arguments and inputs it exits 0, saying the job is done, and touches nothing; anything else is still refused.
    @Test func aCoordinatorRestartedOnItsFinishedJobExitsZeroAndAnotherJobIsStillRefused() throws {
        let cluster = try Cluster(.testbed)
        try cluster.startCoordinator(job: "word-count", reducers: 2, inputs: Self.examples)
        try cluster.startWorker()
        try expectSuccess(cluster, equalTo: oracle(AnyJob(wordCount), Self.examples, reducers: 2))
        let before = try FileManager.default.contentsOfDirectory(atPath: cluster.output).sorted()
        let summary = try Data(contentsOf: URL(fileURLWithPath: "\(cluster.output)/_summary.json"))
        // Nothing listens: the restarted coordinator exits at once.
        func restart(reducers: Int) throws -> ChildProcess {
            try ChildProcess(
                cluster.program.coordinator[0],
                Array(cluster.program.coordinator.dropFirst()) + [
                    "--job", "word-count", "--reducers", "\(reducers)", "--shared-dir", cluster.shared, "--output", cluster.output,
                ] + Self.examples, errorLog: cluster.directory.appending("restart-\(reducers).log"))
        }
        let same = try restart(reducers: 2)
        #expect(try same.waitForExit(timeout: .seconds(30)) == 0, "\(same.standardError)")
        #expect(same.standardError.contains("already done: '"), "\(same.standardError)")
        #expect(same.standardOutput.hasPrefix("word-count: "), "\(same.standardOutput)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: cluster.output).sorted() == before)
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(cluster.output)/_summary.json")) == summary)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: "\(cluster.shared)/jobs")) ?? []).isEmpty, "no job directory was made")
        // Other arguments are another job: refused, as before.
        let other = try restart(reducers: 3)
        #expect(try other.waitForExit(timeout: .seconds(30)) == 64)
        #expect(other.standardError.contains("already holds a job's output; remove it or choose another"), "\(other.standardError)")
    }

    /// Review item 5: four suspends of the coordinator of 5 s with a 3 s lease lost four attempts and failed the job:
    /// its first tick afterwards expired every lease before any worker could be heard.
    @Test func pausesOfTheCoordinatorLongerThanTheLeaseLoseNoAttempt() throws {
        let cluster = try Cluster(.testbed)
        try cluster.startCoordinator(
            job: "probe-word-count", reducers: 1, inputs: Self.examples, extra: ["--lease-timeout", "3", "--max-attempts", "1"])
        // Three maps of 4 s each: the job runs through both pauses, each taken while a map runs and heartbeats.
        let probes = try TemporaryDirectory(prefix: "probes")
        try cluster.startWorker(environment: ["MR_PROBE_DIR": probes.path, "MR_PROBE_MAP_SLEEP_MS": "4000"])
        try ChildProcess.waitUntil("the first map call", timeout: .seconds(30)) {
            (try? FileManager.default.contentsOfDirectory(atPath: probes.path))?.first { $0.hasPrefix("map-started-") }
        }
        for _ in 0..<2 {
            cluster.coordinator.send(SIGSTOP)
            Thread.sleep(forTimeInterval: 4.5)  // the fault itself: a pause of the process, longer than the lease
            cluster.coordinator.send(SIGCONT)
            Thread.sleep(forTimeInterval: 0.5)
        }
        try expectSuccess(cluster, equalTo: oracle(AnyJob(wordCount), Self.examples, reducers: 1))
        #expect(try summary(cluster)["lostAttempts"] as? Int == 0, "\(cluster.logs)")
        #expect(cluster.coordinator.standardError.contains("did not run for"), "\(cluster.logs)")
    }

    // 9. A torn journal tail was survived once: the next append joined it, and the restart after that refused
    // to start.
    @Test func aTornJournalTailIsSurvivedByEveryLaterRestart() throws {
        let cluster = try Cluster(.testbed)
        let port = try Cluster.freePort()
        let arguments = ["--split-size", "1KiB", "--lease-timeout", "3"]
        let start = { try cluster.startCoordinator(job: "probe-word-count", reducers: 2, inputs: Self.examples, extra: arguments, port: port) }
        try start()
        try cluster.startWorker(environment: ["MR_PROBE_MAP_SLEEP_MS": "400"], extra: ["--grace-period", "60"])
        let jobs = "\(cluster.shared)/jobs"
        let journal = try ChildProcess.waitUntil("the journal", timeout: .seconds(30)) {
            (try? FileManager.default.contentsOfDirectory(atPath: jobs))?.first.map { "\(jobs)/\($0)/journal" }
        }
        func lines(_ text: String) -> Int { ((try? String(contentsOfFile: journal, encoding: .utf8)) ?? "").components(separatedBy: text).count - 1 }
        try ChildProcess.waitUntil("a map commit", timeout: .seconds(30)) { lines("map-committed") > 0 ? true : nil }
        cluster.coordinator.send(SIGKILL)
        try cluster.coordinator.waitForExit(timeout: .seconds(10))
        // A crash in the middle of an append.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: journal))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"event":"map-comm"#.utf8))
        try handle.close()
        try start()
        try ChildProcess.waitUntil("the second coordinator's start in the journal", timeout: .seconds(30)) { lines(#""event":"started""#) >= 2 ? true : nil }
        cluster.coordinator.send(SIGKILL)
        try cluster.coordinator.waitForExit(timeout: .seconds(10))
        try start()
        try expectSuccess(cluster, equalTo: oracle(AnyJob(probeWordCount), Self.examples, reducers: 2), timeout: .seconds(90))
    }

    // 10. `sort` collected every value of a key: lines sharing their first 10 bytes all sat in one reducer's memory.
    @Test(.enabled(if: PeakMemory.isAvailable, "needs GNU time (Debian package 'time')")) func sortStreamsLinesThatShareTheirSortKey() throws {
        let directory = try TemporaryDirectory(prefix: "sort-memory")
        // 24 MB of lines that all start with the same date, as log lines do.
        var random = SeededRandom(seed: 10)
        var text: [UInt8] = []
        text.reserveCapacity(24_000_000)
        for _ in 0..<240_000 {
            text.append(contentsOf: "2026-11-22".utf8)
            for _ in 0..<11 {
                let bits = UInt64.random(in: 0...UInt64.max, using: &random)
                for shift in stride(from: 0, to: 64, by: 8) { text.append(97 + UInt8((bits >> UInt64(shift)) & 0xFF) % 10) }
            }
            text.append(0x0A)
        }
        let input = try directory.write("log.txt", text)
        let tiny = try directory.write("tiny.txt", Array(text.prefix(1_000)))
        // One task at a time: memory is bounded per running task.
        func peak(_ input: String, _ output: String) throws -> Int {
            try PeakMemory.of(
                "\(Cluster.binaryDirectory)/mr-local",
                ["--job", "sort", "--memory-budget", "1MiB", "--parallel", "1", "--quiet", "--output", directory.appending(output), input],
                errorLog: directory.appending("\(output).log"))
        }
        let baseline = try peak(tiny, "tiny-out")
        let whole = try peak(input, "out")
        // Holding the key's lines took 60 MiB over the process's own; streaming them takes the merge's buffers.
        #expect(whole - baseline < 12 << 20, "peak resident memory \(whole) bytes, \(baseline) for 10 lines: the reduce must not hold a key's 23 MiB of lines")
        let expected = directory.appending("expected")
        let sorted = try ChildProcess("/usr/bin/env", ["LC_ALL=C", "sort", "-o", expected, input], errorLog: directory.appending("sort.log"))
        #expect(try sorted.waitForExit(timeout: .seconds(60)) == 0)
        let output = try JobOutput(directory: directory.appending("out")).parts.flatMap(\.bytes)
        #expect(output == [UInt8](try Data(contentsOf: URL(fileURLWithPath: expected))), "the lines in byte order, as LC_ALL=C sort puts them")
    }
}
