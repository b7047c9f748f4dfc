import Foundation
import Jobs
import MapReduceTesting
import MapReduce
import Testing

/// How the executables start, refuse bad arguments, and stop.
@Suite(.serialized) struct ProcessLifecycleTests {
    var coordinatorPath: String { "\(Cluster.binaryDirectory)/mr-coordinator" }
    var workerPath: String { "\(Cluster.binaryDirectory)/mr-worker" }
    var input: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Examples/WordCount/input").path
    }

    @Test(arguments: [
        (["--job", "no-such-job"], "unknown job 'no-such-job'; known jobs:"),
        (["--job", "word-count", "/no/such/input"], "input '/no/such/input' does not exist"),
        (["--job", "word-count", "--reducers", "0"], "reducers must be from 1 to 10000 (got 0)"),
        (["--job", "word-count", "--host", "0.0.0.0"], "needs a shared secret"),
        (["--job", "grep"], "job 'grep' needs --param pattern=VALUE"),
        (["--job", "grep", "--param", "pattern=(unclosed"], "pattern '(unclosed' is not a valid regular expression"),
        (["--job", "word-count", "--param", "pattern=x"], "job 'word-count' has no parameter 'pattern'; it takes none"),
        // A duration that does not fit a Duration trapped (SIGILL); a port above 65535 was silently cut to 16 bits.
        (["--job", "word-count", "--lease-timeout", "1e30"], "--lease-timeout must be a number of seconds from 0.001 to 604800 (got 1e+30)"),
        (["--job", "word-count", "--lease-timeout", "inf"], "--lease-timeout must be a number of seconds from 0.001 to 604800 (got inf)"),
        (["--job", "word-count", "--idle-timeout", "1e19"], "--idle-timeout must be a number of seconds"),
        (["--job", "word-count", "--request-timeout", "1e300"], "--request-timeout must be a number of seconds"),
        (["--job", "word-count", "--linger", "nan"], "--linger must be a number of seconds from 0 to 86400 (got nan)"),
        (["--job", "word-count", "--port", "99999"], "--port must be from 0 to 65535 (got 99999)"),
        // A negative level is a value, not an option (zstd's fast levels are -1 to -7).
        (["--job", "word-count", "--compression-level", "-8"], "compression level must be from -7 to 19"),
    ])
    func coordinatorRejectsBadArgumentsWithOneLineBeforeStarting(arguments: [String], message: String) throws {
        let directory = try TemporaryDirectory()
        let inputs = arguments.contains("/no/such/input") ? [] : [input]
        let process = try ChildProcess(
            coordinatorPath, arguments + ["--shared-dir", directory.appending("shared"), "--output", directory.appending("out")] + inputs,
            errorLog: directory.appending("err.log"))
        #expect(try process.waitForExit(timeout: .seconds(30)) == 64)
        let lines = process.standardError.split(separator: "\n")
        #expect(lines.count == 1, "\(process.standardError)")
        #expect(process.standardError.contains(message), "\(process.standardError)")
        #expect(!FileManager.default.fileExists(atPath: directory.appending("out/_SUCCESS")))
    }

    /// The progress line's writer stops once the job is over, which may be while the coordinator still lingers (a
    /// worker still listening, or `--linger`): that must not turn a finished job's exit status into a failure. (A CI
    /// run of the crash test, whose respawned workers kept the coordinator lingering, exited 1 after its output was
    /// final: the writer woke at its ten-second interval in that window and the service group called its return
    /// unexpected.)
    @Test func aCoordinatorStillServingWhenItsProgressLineEndsExitsWithTheJobsStatus() throws {
        let cluster = try Cluster(.testbed)
        // Not --quiet: standard error is not a terminal, so the progress line is written every ten seconds; the
        // eleven seconds of --linger after a job of a second hold one of those wakes.
        try cluster.startCoordinator(job: "word-count", reducers: 1, inputs: [input], extra: ["--linger", "11"])
        try cluster.startWorker()
        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(60)) == 0, "\(cluster.logs)")
        #expect(FileManager.default.fileExists(atPath: "\(cluster.output)/_SUCCESS"))
    }

    /// An output inside an input directory was planned fine, then a restart planned again, took its own part files
    /// as input and refused to start ("holds a different job"). Refused at the first start, as is a shared directory
    /// there (its intermediate files would be read the same way).
    @Test(arguments: ["--output", "--shared-dir"])
    func aDirectoryOfTheJobInsideAnInputDirectoryIsRefusedAtTheFirstStart(flag: String) throws {
        let directory = try TemporaryDirectory()
        _ = try directory.write("data/in.txt", "a b c\n")
        let inside = directory.appending("data/\(flag == "--output" ? "out" : "shared")")
        let output = flag == "--output" ? inside : directory.appending("out")
        let shared = flag == "--shared-dir" ? inside : directory.appending("shared")
        let process = try ChildProcess(
            coordinatorPath, ["--job", "word-count", "--output", output, "--shared-dir", shared, directory.appending("data")],
            errorLog: directory.appending("err.log"))
        #expect(try process.waitForExit(timeout: .seconds(30)) == 64)
        #expect(process.standardError.contains("\(flag) '\(inside)' is inside input directory '\(directory.appending("data"))'"), "\(process.standardError)")
        #expect(process.standardError.split(separator: "\n").count == 1, "\(process.standardError)")
    }

    @Test(arguments: [
        (["--grace-period", "1e30"], "--grace-period must be a number of seconds from 0.001 to 604800 (got 1e+30)"),
        (["--grace-period", "0"], "--grace-period must be a number of seconds from 0.001 to 604800 (got 0.0)"),
    ])
    func workerRejectsBadArgumentsWithOneLineBeforeStarting(arguments: [String], message: String) throws {
        let directory = try TemporaryDirectory()
        let worker = try ChildProcess(
            workerPath, ["--coordinator", "http://127.0.0.1:9", "--shared-dir", directory.path] + arguments, errorLog: directory.appending("w.log"))
        #expect(try worker.waitForExit(timeout: .seconds(20)) == 64)
        #expect(worker.standardError.split(separator: "\n").count == 1 && worker.standardError.contains(message), "\(worker.standardError)")
    }

    @Test func workerGivesUpOnAnUnreachableCoordinatorAfterItsGracePeriod() throws {
        let directory = try TemporaryDirectory()
        // Port 9 (discard) on loopback: nothing listens there in this sandbox, so connections are refused.
        let worker = try ChildProcess(
            workerPath, ["--coordinator", "http://127.0.0.1:9", "--shared-dir", directory.path, "--grace-period", "1"], errorLog: directory.appending("w.log"))
        #expect(try worker.waitForExit(timeout: .seconds(20)) == 1)
        // Said at the first failed try (it printed nothing for the whole grace period), and in words.
        #expect(worker.standardError.contains("coordinator http://127.0.0.1:9 not reachable (connection refused: nothing listens"), "\(worker.standardError)")
        #expect(worker.standardError.contains("unreachable for 1.0 seconds: connection refused"), "\(worker.standardError)")
    }

    @Test func productionExecutablesDoNotKnowTheFaultInjectionJobs() throws {
        let directory = try TemporaryDirectory()
        for (executable, arguments) in [
            (coordinatorPath, ["--shared-dir", directory.appending("shared")]), ("\(Cluster.binaryDirectory)/mr-local", []),
        ] {
            let process = try ChildProcess(
                executable, ["--job", "crash-word-count", "--output", directory.appending("out")] + arguments + [input],
                errorLog: directory.appending("err.log"))
            #expect(try process.waitForExit(timeout: .seconds(30)) == 64)
            #expect(process.standardError.contains("unknown job 'crash-word-count'; known jobs: grep, inverted-index,"), "\(process.standardError)")
        }
    }

    @Test func oneProgramServesEveryRoleAsASubcommand() throws {
        let directory = try TemporaryDirectory()
        let testbed = "\(Cluster.binaryDirectory)/mr-testbed"
        let jobs = try ChildProcess(testbed, ["jobs"], errorLog: directory.appending("jobs.log"))
        #expect(try jobs.waitForExit(timeout: .seconds(30)) == 0)
        #expect(
            jobs.standardOutput.contains("crash-word-count\ngrep\n  --param pattern=VALUE  the regular expression a line must match\n"),
            "\(jobs.standardOutput)")
        // `local` writes what a coordinator writes, _summary.json included.
        let local = try ChildProcess(
            testbed, ["local", "--job", "word-count", "--reducers", "2", "--output", directory.appending("out"), input],
            errorLog: directory.appending("local.log"))
        #expect(try local.waitForExit(timeout: .seconds(30)) == 0, "\(local.standardError)")
        let summary = try JobSummary(readingFrom: OutputDirectory(path: directory.appending("out")))
        #expect(summary.job == "word-count" && summary.reduceTasks == 2 && summary.outputRecords > 0)
        #expect(local.standardError.contains("word-count: \(summary.mapTasks) map tasks"), "\(local.standardError)")
        #expect(local.standardError.contains("reduce 2/2 tasks · "), "the last progress line, plain when stderr is not a terminal")
        // A bad flag names the subcommand the way it was called.
        let bad = try ChildProcess(
            testbed, ["local", "--job", "word-count", "--output", directory.appending("out2")], errorLog: directory.appending("bad.log"))
        #expect(try bad.waitForExit(timeout: .seconds(30)) == 64)
        #expect(bad.standardError == "mr-testbed local: no input files were given; name at least one file or directory\n", "\(bad.standardError)")
        let zero = try ChildProcess(
            testbed, ["local", "--job", "word-count", "--parallel", "0", "--output", directory.appending("out3"), input],
            errorLog: directory.appending("zero.log"))
        #expect(try zero.waitForExit(timeout: .seconds(30)) == 64)
        #expect(zero.standardError.contains("--parallel must be from 1 to 1024 (got 0)"), "\(zero.standardError)")
    }

    /// Starts a worker of `cluster`'s `probe-word-count` job whose map calls sleep ten minutes, and returns once it is
    /// inside one.
    func startWorkerInsideAMapCall(of cluster: Cluster) throws -> ChildProcess {
        let probes = cluster.directory.appending("probes")
        try FileManager.default.createDirectory(atPath: probes, withIntermediateDirectories: true)
        let worker = try cluster.startWorker(environment: ["MR_PROBE_DIR": probes, "MR_PROBE_MAP_SLEEP_MS": "600000"])
        try ChildProcess.waitUntil("the worker to start a map call", timeout: .seconds(30)) {
            try FileManager.default.contentsOfDirectory(atPath: probes).first { $0.hasPrefix("map-started-") }
        }
        return worker
    }

    @Test(arguments: [SIGTERM, SIGINT])
    func bothExecutablesStopCleanlyOnASignal(signal: Int32) throws {
        let cluster = try Cluster(.testbed)
        // A slow job, so both processes are busy when the signal arrives.
        try cluster.startCoordinator(job: "probe-word-count", reducers: 1, inputs: [input], extra: ["--split-size", "1KiB"])
        let worker = try startWorkerInsideAMapCall(of: cluster)
        worker.send(signal)
        #expect(try worker.waitForExit(timeout: .seconds(10)) == 2, "stopped, not finished: \(worker.standardError)")
        cluster.coordinator.send(signal)
        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(10)) == 2)
        #expect(cluster.coordinator.standardError.contains("stopped by a signal before the job finished"))
        #expect(!FileManager.default.fileExists(atPath: "\(cluster.output)/_SUCCESS"))
    }

    /// Workers hold a connection to the coordinator open while they run: a coordinator stopped by a signal still
    /// stops at once, and its workers wait for it to come back.
    @Test func aCoordinatorStoppedWhileWorkersAreConnectedStopsAtOnce() throws {
        let cluster = try Cluster(.testbed)
        try cluster.startCoordinator(job: "probe-word-count", reducers: 1, inputs: [input], extra: ["--split-size", "1KiB"])
        let worker = try startWorkerInsideAMapCall(of: cluster)
        cluster.coordinator.send(SIGTERM)
        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(5)) == 2, "\(cluster.logs)")
        worker.send(SIGTERM)
        #expect(try worker.waitForExit(timeout: .seconds(10)) == 2, "\(worker.standardError)")
    }

    /// A worker stopped by SIGTERM (a drained node, an evicted pod, `systemctl stop`) hands its running task back
    /// before it exits, with status 2 so that a supervisor replaces it: the task runs again on another worker at
    /// once, not when its lease expires, and the output is exact.
    @Test func aStoppedWorkerHandsItsTaskBackAndExitsTwo() throws {
        let cluster = try Cluster(.testbed)
        // A lease of ten minutes and no backup attempts: within the deadlines below the job can end only if the task
        // was handed back.
        try cluster.startCoordinator(
            job: "probe-word-count", reducers: 1, inputs: [input], extra: ["--split-size", "1KiB", "--lease-timeout", "600", "--no-speculation"])
        let stopped = try startWorkerInsideAMapCall(of: cluster)
        stopped.send(SIGTERM)
        #expect(try stopped.waitForExit(timeout: .seconds(10)) == 2, "\(stopped.standardError)")
        try cluster.startWorker()
        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(60)) == 0, "\(cluster.logs)")
        #expect(try cluster.firstDifference(fromOracle: AnyJob(wordCount), inputs: [input], configuration: .init(reducers: 1, splitSize: 1024)) == nil)
        let summary = try JobSummary(readingFrom: OutputDirectory(path: cluster.output))
        #expect(summary.lostAttempts == 1 && summary.failedAttempts == 0)
        let history = try String(contentsOfFile: "\(cluster.output)/_events.jsonl", encoding: .utf8)
        #expect(history.contains("was stopped (SIGTERM or SIGINT) and gave it back"), "\(history)")
        #expect(history.contains(#""kind":"worker-stopped""#), "\(history)")
    }

    /// A worker killed with SIGKILL says nothing, but its system closes its connection to the coordinator at once:
    /// its attempt is lost then, not when its lease (ten minutes here) runs out (issue 23).
    @Test func aKilledWorkersAttemptIsLostWhenItsConnectionClosesNotWhenItsLeaseRunsOut() throws {
        let cluster = try Cluster(.testbed)
        try cluster.startCoordinator(
            job: "probe-word-count", reducers: 1, inputs: [input], extra: ["--split-size", "1KiB", "--lease-timeout", "600", "--no-speculation"])
        let killed = try startWorkerInsideAMapCall(of: cluster)
        killed.send(SIGKILL)
        try killed.waitForExit(timeout: .seconds(10))
        try cluster.startWorker()
        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(60)) == 0, "\(cluster.logs)")
        #expect(try cluster.firstDifference(fromOracle: AnyJob(wordCount), inputs: [input], configuration: .init(reducers: 1, splitSize: 1024)) == nil)
        let summary = try JobSummary(readingFrom: OutputDirectory(path: cluster.output))
        #expect(summary.lostAttempts == 1 && summary.failedAttempts == 0)
        let history = try String(contentsOfFile: "\(cluster.output)/_events.jsonl", encoding: .utf8)
        #expect(history.contains("to the coordinator closed without a goodbye: the worker died or was cut off"), "\(history)")
        #expect(history.components(separatedBy: #""kind":"worker-lost""#).count == 2, "one worker lost, once: \(history)")
    }
}
