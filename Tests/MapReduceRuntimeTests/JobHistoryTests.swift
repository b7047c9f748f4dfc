import Foundation
import MapReduce
import MapReduceTesting
import Testing

@testable import MapReduceRuntime

/// The history folded from a job's events, what the status page shows of it, and the page itself.
@Suite struct JobHistoryTests {
    func event(_ kind: JobEvent.Kind, _ time: Double, phase: String? = nil, task: Int? = nil, attempt: UInt64? = nil, worker: String? = nil) -> JobEvent {
        var event = JobEvent(kind, time: time)
        event.phase = phase
        event.task = task
        event.attempt = attempt
        event.worker = worker
        return event
    }

    func committedMap(_ task: Int, _ time: Double, attempt: UInt64, worker: String, outputBytes: Int64) -> JobEvent {
        var commit = event(.taskCommitted, time, phase: "map", task: task, attempt: attempt, worker: worker)
        commit.inputBytes = 100
        commit.inputRecords = 10
        commit.outputBytes = outputBytes
        commit.outputRecords = 4
        commit.spills = 1
        commit.counters = ["lines": 10]
        return commit
    }

    func started(_ job: String = "word-count", at time: Double, maps: Int = 3, reduces: Int = 4) -> JobEvent {
        var start = JobEvent(.jobStarted, time: time)
        start.job = job
        start.mapTasks = maps
        start.reduceTasks = reduces
        return start
    }

    var events: [JobEvent] {
        let start = started(at: 1000)
        var failed = event(.attemptFailed, 1003, phase: "map", task: 1, attempt: 2, worker: "w1")
        failed.message = "map of job 'word-count' failed on line 7 of '/data/a.txt': boom"
        var failedToo = event(.attemptFailed, 1004, phase: "map", task: 2, attempt: 3, worker: "w1")
        failedToo.message = "map of job 'word-count' failed on line 12 of '/data/b.txt': boom"
        var lost = event(.attemptLost, 1005, phase: "map", task: 2, attempt: 4, worker: "w2")
        lost.message = "lease expired"
        return [
            start, event(.workerJoined, 1001, worker: "w1"), event(.workerJoined, 1001, worker: "w2"),
            event(.phaseStarted, 1001, phase: "map"),
            event(.taskAssigned, 1001, phase: "map", task: 0, attempt: 1, worker: "w1"),
            event(.taskAssigned, 1002, phase: "map", task: 1, attempt: 2, worker: "w1"),
            committedMap(0, 1002, attempt: 1, worker: "w1", outputBytes: 130),
            failed, event(.taskAssigned, 1003, phase: "map", task: 2, attempt: 3, worker: "w1"), failedToo,
            event(.taskAssigned, 1004, phase: "map", task: 2, attempt: 4, worker: "w2"), lost, event(.workerLost, 1005, worker: "w2"),
            event(.taskAssigned, 1006, phase: "map", task: 1, attempt: 5, worker: "w1"),
        ]
    }

    @Test func theOverviewCountsTasksAndGroupsFailuresByTheirError() {
        let overview = JobOverview(JobHistory(events), now: 1010)
        #expect(overview.job == "word-count" && overview.phase == "map")
        #expect(overview.maps == .init(total: 3, pending: 1, running: 1, committed: 1))
        #expect(overview.reduces == .init(total: 4, pending: 4, running: 0, committed: 0))
        #expect(overview.elapsedSeconds == 10)
        #expect(overview.remainingSeconds == 60, "1 of 7 tasks in 10 s")
        #expect(overview.failureGroups.count == 2)
        #expect(overview.failureGroups[0].error == "map of job '…' failed on line # of '…': boom")
        #expect(overview.failureGroups[0].attempts.map(\.task) == ["map 1", "map 2"])
        #expect(overview.failureGroups[1].attempts.map(\.kind) == ["lost"])
        #expect(overview.workers.map(\.state) == ["alive", "lost"])
        #expect(overview.workers[0].current == "map 1" && overview.workers[0].committed == 1)
        #expect(overview.tasks.first?.task == "map 1", "the running task has run longest")
        #expect(overview.tasks.first { $0.task == "map 0" }?.seconds == 1)
        #expect(overview.totals.inputBytes == 100 && overview.totals.intermediateBytes == 130)
        #expect(overview.partitions.map(\.bytes) == [0, 0, 0, 0], "no reduce has read its partition yet")
        #expect(overview.counters == ["lines": 10])
    }

    /// Issue 23, item 6: lease expiries on two workers were grouped by a pattern that mangled each worker's name
    /// (`vm-#-mj#rj#`); the worker's own name is kept out of the pattern whole, so they group as one.
    @Test func failuresOfDifferentWorkersGroupWithoutManglingTheirNames() {
        var history = JobHistory([started(at: 0)])
        for (index, worker) in ["vm-26875-j82x2u#0", "vm-31-k7#12"].enumerated() {
            var lost = event(.attemptLost, 1, phase: "map", task: index, attempt: UInt64(index + 1), worker: worker)
            lost.message = "no heartbeat from worker \(worker) for 3.0 seconds (the lease): the worker died, hung or was cut off"
            history.apply(lost)
        }
        let groups = JobOverview(history, now: 2).failureGroups
        #expect(groups.count == 1 && groups[0].attempts.map(\.worker) == ["vm-26875-j82x2u#0", "vm-31-k7#12"], "\(groups)")
        #expect(groups[0].error == "no heartbeat from worker <worker> for #.# seconds (the lease): the worker died, hung or was cut off")
        #expect(StatusPage.render(JobOverview(history, now: 2)).contains("Failed and lost attempts (2)"))
    }

    /// A partition's figures are what its committed reduce read: a map's one output file holds every partition, and
    /// its commit carries the file's totals only (per-partition figures in every map commit would grow the events
    /// and the journal with M × R numbers).
    @Test func thePartitionTableShowsWhatEachCommittedReduceRead() {
        var history = JobHistory(events)
        for (partition, bytes) in [(0, 10), (1, 10), (3, 100)] {
            var commit = event(.taskCommitted, 1008, phase: "reduce", task: partition, attempt: 10, worker: "w1")
            commit.inputBytes = Int64(bytes)
            commit.inputRecords = Int64(bytes / 10)
            history.apply(commit)
        }
        let overview = JobOverview(history, now: 1010)
        #expect(overview.partitions.map(\.bytes) == [10, 10, 0, 100] && overview.partitions.map(\.records) == [1, 1, 0, 10])
        #expect(overview.partitions.map(\.skewed) == [false, false, false, true], "100 bytes > 1.5 × the 75th percentile (10)")
    }

    /// Today every task was a row of the page and of `/v1/job`: 100,000 rows at the paper's shape. The table holds
    /// the slowest 100 and says how many more there are.
    @Test func theTaskTableHoldsTheSlowestHundredAndCountsTheRest() {
        var events = [started(at: 1000, maps: 500, reduces: 2), event(.workerJoined, 1000, worker: "w1")]
        for task in 0..<300 {
            events.append(event(.taskAssigned, 1000, phase: "map", task: task, attempt: UInt64(task + 1), worker: "w1"))
            events.append(committedMap(task, 1000 + Double(task % 97) / 10, attempt: UInt64(task + 1), worker: "w1", outputBytes: 1))
        }
        let overview = JobOverview(JobHistory(events), now: 1100)
        #expect(overview.tasks.count == 100 && overview.tasksNotShown == 402, "300 ran, 200 maps and 2 reduces never started")
        let seconds = overview.tasks.map { $0.seconds ?? -1 }
        #expect(abs(seconds[0] - 9.6) < 1e-6 && seconds == seconds.sorted(by: >), "the slowest first")
        #expect(StatusPage.render(overview).contains("402 more tasks not shown"))
    }

    @Test func aRunningTaskShowsTheProgressItsWorkerReportedAndWhenItWasLastHeard() {
        var live = JobOverview.Live()
        live.progress[5] = (records: 4096, bytes: 65536)
        live.lastHeard["w1"] = 1.5
        let overview = JobOverview(JobHistory(events), now: 1010, live: live)
        let running = overview.tasks.first { $0.task == "map 1" }
        #expect(running?.state == "running" && running?.inputRecords == 4096 && running?.inputBytes == 65536)
        #expect(running?.seconds == 4, "running since its assignment at 1006")
        #expect(overview.workers.first { $0.name == "w1" }?.lastHeardSecondsAgo == 1.5)
        #expect(overview.workers.first { $0.name == "w2" }?.lastHeardSecondsAgo == nil, "a lost worker is not heard")
    }

    @Test func aWorkerThatSaidItWasStoppingIsShownStoppedNotLost() {
        var handedBack = event(.attemptLost, 1003, phase: "map", task: 0, attempt: 1, worker: "w1")
        handedBack.message = "w1 was stopped (SIGTERM or SIGINT) and gave it back"
        let history = JobHistory([
            started(at: 1000), event(.workerJoined, 1001, worker: "w1"), event(.workerJoined, 1001, worker: "w2"),
            event(.taskAssigned, 1002, phase: "map", task: 0, attempt: 1, worker: "w1"), handedBack, event(.workerStopped, 1003, worker: "w1"),
        ])
        let overview = JobOverview(history, now: 1004)
        #expect(overview.workers.map(\.state) == ["stopped", "alive"])
        #expect(overview.workers[0].current == nil && overview.workers[0].lastHeardSecondsAgo == nil)
        #expect(overview.maps.pending == 3 && overview.failureGroups.first?.attempts.map(\.kind) == ["lost"])
    }

    @Test func theHottestKeysAreMergedAcrossPartitions() {
        var history = JobHistory(events)
        for (partition, keys) in [(0, [("the", 90), ("a", 40)]), (1, [("and", 70), ("of", 40)])] {
            var commit = event(.taskCommitted, 1008, phase: "reduce", task: partition, attempt: 10, worker: "w1")
            commit.hotKeys = keys.map { HotKey(key: $0.0, records: Int64($0.1)) }
            history.apply(commit)
        }
        let hottest = JobOverview(history, now: 1010).hottestKeys
        #expect(hottest.map(\.key) == ["the", "and", "a", "of"])
        #expect(hottest.map(\.partition) == [0, 1, 0, 1])
        #expect(StatusPage.render(JobOverview(history, now: 1010)).contains("<tr><td>the</td><td>90</td><td>0</td></tr>"))
    }

    @Test func aLostMapOutputIsTakenBackAndARestartForgetsRunningAttempts() {
        var history = JobHistory(events)
        var lost = event(.mapOutputLost, 1007, phase: "map", task: 0, worker: "w1")
        lost.message = "intermediate file '/s/output.mri' is truncated"
        history.apply(lost)
        history.apply(started(at: 1008))
        let overview = JobOverview(history, now: 1010)
        #expect(overview.maps == .init(total: 3, pending: 3, running: 0, committed: 0))
        #expect(overview.partitions.map(\.bytes) == [0, 0, 0, 0])
        #expect(overview.elapsedSeconds == 10, "the history continues across coordinators")
    }

    @Test func theEndOfTheJobIsItsOutcome() {
        var history = JobHistory(events)
        var failed = JobEvent(.jobFailed, time: 1009)
        failed.message = "map 2 failed 4 times"
        history.apply(failed)
        let overview = JobOverview(history, now: 5000)
        #expect(overview.phase == "failed" && overview.failure == "map 2 failed 4 times")
        #expect(overview.elapsedSeconds == 9 && overview.remainingSeconds == nil)
        #expect(overview.maps.running == 0)
    }

    @Test func aTornLastLineIsIgnoredAndADamagedOneIsSkippedAndNamed() throws {
        let directory = try TemporaryDirectory()
        let output = OutputDirectory(path: directory.path)
        let log = try EventLog(output: output)
        for event in events.prefix(3) { try log.append(event) }
        let file = directory.appending(EventLog.fileName)
        let whole = try String(contentsOfFile: file, encoding: .utf8)
        try (whole + #"{"kind":"task-ass"#).write(toFile: file, atomically: false, encoding: .utf8)
        var contents = try EventLog.read(output: output)
        #expect(contents.events == Array(events.prefix(3)) && contents.skippedLines.isEmpty)
        // A torn line in the middle (an append that failed on a full disk, then the disk was freed) used to make
        // report refuse the whole history, and a restarted coordinator drop it.
        try ("not json\n" + whole + #"{"kind":"task-ass"# + "\n" + whole).write(toFile: file, atomically: false, encoding: .utf8)
        contents = try EventLog.read(output: output)
        #expect(contents.events == Array(events.prefix(3)) + Array(events.prefix(3)))
        #expect(contents.skippedLines == [1, 5])
        #expect(contents.skippedDescription(of: "h") == "2 lines of 'h' skipped as torn or damaged (lines 1, 5)")
        try "not json\nnor this\n".write(toFile: file, atomically: false, encoding: .utf8)
        let error = try #require(throws: InputError.self) { try EventLog.read(output: output) }
        #expect(error.code == .malformedRecord && error.message == "job history '\(file)' holds no job event (line 1 is not one); is it a job's history?")
    }

    /// A line that decodes but holds what no coordinator writes (a negative task count, counts near 2^63) trapped
    /// `report` and a coordinator started on that output; it is skipped as damaged.
    @Test(arguments: [
        #"{"kind":"job-started","time":1,"job":"j","mapTasks":-1,"reduceTasks":1}"#,
        #"{"kind":"job-started","time":1,"job":"j","mapTasks":9223372036854775807,"reduceTasks":1}"#,
        #"{"kind":"job-started","time":1,"job":"j","mapTasks":1,"reduceTasks":-3}"#,
        #"{"kind":"step-started","time":1,"step":9223372036854775807,"steps":["a"]}"#,
        #"{"kind":"task-committed","time":1,"phase":"map","task":-1,"inputBytes":5}"#,
        #"{"kind":"task-committed","time":1,"phase":"reduce","task":0,"outputBytes":-9223372036854775808}"#,
    ])
    func anImpossibleEventIsSkippedAsDamage(line: String) throws {
        let directory = try TemporaryDirectory()
        let output = OutputDirectory(path: directory.path)
        let log = try EventLog(output: output)
        try log.append(started(at: 0, maps: 2, reduces: 1))
        let file = directory.appending(EventLog.fileName)
        try (try String(contentsOfFile: file, encoding: .utf8) + line + "\n").write(toFile: file, atomically: false, encoding: .utf8)
        let contents = try EventLog.read(output: output)
        #expect(contents.events.count == 1 && contents.skippedLines == [2])
        let page = StatusPage.render(JobOverview(JobHistory(contents.events), now: 5))
        #expect(page.contains("0 of 2"))
    }

    /// An append the disk refuses leaves the history as it was (here /dev/full: every write fails with ENOSPC).
    @Test func anAppendThatFailsLeavesTheHistoryReadable() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createSymbolicLink(atPath: directory.appending(EventLog.fileName), withDestinationPath: "/dev/full")
        let log = try EventLog(output: OutputDirectory(path: directory.path))
        let error = try #require(throws: FileIOError.self) { try log.append(started(at: 0, maps: 1, reduces: 1)) }
        #expect(error.message.contains("No space left on device"), "\(error.message)")
    }

    /// A rerun after a failed run showed "failed", the old reason and a frozen elapsed time.
    @Test func aRerunIsNotShownWithThePreviousRunsOutcome() {
        var failed = event(.jobFailed, 10)
        failed.message = "map 0 failed 4 times"
        let history = JobHistory([started(at: 0, maps: 1, reduces: 1), failed, started(at: 100, maps: 1, reduces: 1)])
        let overview = JobOverview(history, now: 130)
        #expect(overview.phase == "map" && overview.failure == nil)
        #expect(overview.elapsedSeconds == 130, "still counting")
        #expect(!StatusPage.render(overview).contains("Why it failed"))
    }

    @Test func thePageEscapesWhatItShowsAndRefreshesOnlyWhenLive() {
        let start = started("<b>job</b>", at: 0, maps: 1, reduces: 1)
        var failed = event(.attemptFailed, 1, phase: "map", task: 0, attempt: 1, worker: "w\"1")
        failed.message = "<script>alert(1)</script> & more"
        let overview = JobOverview(JobHistory([start, failed]), now: 2)
        let page = StatusPage.render(overview, refreshSeconds: 2)
        #expect(!page.contains("<script>") && !page.contains("<b>job</b>"))
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more") && page.contains("w&quot;1"))
        #expect(page.contains(#"<meta http-equiv="refresh" content="2">"#))
        #expect(!StatusPage.render(overview).contains(#"http-equiv="refresh""#))
        #expect(page.contains(#"<meta name="viewport""#), "readable on a phone")
    }

    /// U+0600 (a Prepend scalar) joins the `<` after it into one grapheme cluster, which a character-by-character
    /// escape does not recognise as `<`: a worker name or a hot key would become live markup.
    @Test func markupGluedToAPrependScalarIsEscapedAndNoScriptMayRun() {
        let markup = "\u{600}<img src=x onerror=alert(1)\u{600}>"
        var history = JobHistory([started(at: 0, maps: 1, reduces: 1), event(.workerJoined, 1, worker: markup)])
        var commit = event(.taskCommitted, 2, phase: "reduce", task: 0, attempt: 1, worker: markup)
        commit.hotKeys = [HotKey(key: markup, records: 5)]
        history.apply(commit)
        let page = StatusPage.render(JobOverview(history, now: 3))
        #expect(!page.contains("<img"), "\(page)")
        #expect(page.contains("\u{600}&lt;img src=x onerror=alert(1)\u{600}&gt;"))
        #expect(page.contains(#"<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline';"#))
    }
}
