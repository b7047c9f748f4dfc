import MapReduceTesting
import MapReduce
import Testing

@testable import MapReduceRuntime

@Suite struct SchedulerTests {
    let t0 = ContinuousClock.now
    let a = WorkerID("a")
    let b = WorkerID("b")

    func at(_ seconds: Double) -> ContinuousClock.Instant { t0 + .milliseconds(Int(seconds * 1000)) }

    func expectConsistent(_ scheduler: Scheduler, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(scheduler.invariantViolation() == nil, sourceLocation: sourceLocation)
    }

    func started(_ decision: Scheduler.Decision) -> (AttemptID, TaskID)? {
        if case .run(let attempt, let task) = decision { (attempt, task) } else { nil }
    }

    @Test func handsOutEveryMapBeforeAnyReduce() throws {
        var scheduler = Scheduler(.init(mapTasks: 2, reduceTasks: 1))
        let (m0, t0) = try #require(started(scheduler.assign(to: a, now: at(0))))
        let (m1, t1) = try #require(started(scheduler.assign(to: b, now: at(0))))
        #expect(t0 == .map(MapTaskID(0)) && t1 == .map(MapTaskID(1)))
        #expect(scheduler.assign(to: WorkerID("c"), now: at(0)) == .wait)  // maps running, no reduce yet
        #expect(try scheduler.complete(m0, by: a, now: at(1)))
        #expect(scheduler.assign(to: a, now: at(1)) == .wait)  // one map still running
        expectConsistent(scheduler)
        #expect(try scheduler.complete(m1, by: b, now: at(1)))
        let (r0, task) = try #require(started(scheduler.assign(to: a, now: at(1))))
        #expect(task == .reduce(ReduceTaskID(0)))
        #expect(try scheduler.complete(r0, by: a, now: at(2)))
        #expect(scheduler.isComplete)
        #expect(scheduler.assign(to: b, now: at(2)) == .finished)
        expectConsistent(scheduler)
    }

    /// The paper's shape: 100,000 map tasks and 1,000 reduces, run to the end by four workers, with failures
    /// and a lost map output on the way. Today's scheduler rebuilt the queue of every pending task on each
    /// assignment and counted committed tasks by scanning them (O(M) per call, O(M²) per job: this took minutes);
    /// each call is O(1) now, so the test runs in a second or two in a debug build.
    @Test func aHundredThousandMapTasksRunToTheEndInOrder() throws {
        var scheduler = Scheduler(.init(mapTasks: 100_000, reduceTasks: 1_000, maxAttempts: 4, speculation: true))
        let workers = (0..<4).map { WorkerID("w\($0)") }
        var now = at(0)
        var handedOut: [TaskID] = []
        var step = 0
        while !scheduler.isComplete {
            let worker = workers[step % workers.count]
            step += 1
            now = now + .milliseconds(1)
            guard let (attempt, task) = started(scheduler.assign(to: worker, now: now)) else { continue }
            handedOut.append(task)
            if handedOut.count == 100_500 {
                #expect(try scheduler.lostMapOutput(MapTaskID(77), reportedBy: attempt, worker: worker, now: now), "a reduce could not read map 77")
            } else if step % 10_007 == 0 {
                try scheduler.fail(attempt, by: worker, message: "boom", now: now)
            } else {
                #expect(try scheduler.complete(attempt, by: worker, now: now))
            }
        }
        expectConsistent(scheduler)
        let maps = handedOut.compactMap { if case .map(let map) = $0 { map.rawValue } else { nil } }
        let failedMaps = scheduler.failures.count { if case .map = $0.task { true } else { false } }
        #expect(Set(maps).count == 100_000 && maps.count == 100_000 + failedMaps + 1, "every map, a failed one twice, and map 77 again")
        #expect(Array(maps.prefix(10_006)) == Array(0..<10_006), "tasks go out in order")
        #expect(maps[10_006] == 10_006 && maps[10_007] == 10_006, "a failed task goes out again first")
    }

    @Test func theQueueHandsOutPutBackTasksFirstAndSkipsRemovedOnes() {
        var queue = TaskQueue(tasks: 5)
        queue.remove(1)
        #expect(queue.takeFirst { _ in true } == 0)
        queue.putFirst(0)
        queue.putFirst(1)
        #expect(queue.count == 5)
        #expect(queue.takeFirst { $0 != 1 } == 0, "the most recent put back first, unless it may not run")
        #expect(queue.takeFirst { _ in true } == 1)
        #expect(queue.takeFirst { _ in true } == 2)
        queue.remove(4)
        #expect(queue.takeFirst { _ in true } == 3)
        #expect(queue.takeFirst { _ in true } == nil && queue.count == 0)
    }

    @Test func reassignsMapTaskAfterLeaseExpires() throws {
        var scheduler = Scheduler(.init(mapTasks: 1, reduceTasks: 1, leaseTimeout: .seconds(10)))
        let (first, _) = try #require(started(scheduler.assign(to: a, now: at(0))))
        #expect(scheduler.expireLeases(now: at(9.9)).isEmpty)
        let lost = scheduler.expireLeases(now: at(10.1))
        #expect(lost.map(\.id) == [first])
        expectConsistent(scheduler)
        let (second, task) = try #require(started(scheduler.assign(to: b, now: at(10.2))))
        #expect(task == .map(MapTaskID(0)))
        #expect(second != first)
        // The dead worker's late completion is ignored; the new attempt commits.
        #expect(try scheduler.complete(first, by: a, now: at(11)) == false)
        #expect(try scheduler.complete(second, by: b, now: at(11)))
        #expect(scheduler.committedMapAttempts == [second])
        expectConsistent(scheduler)
    }

    @Test func aStoppedWorkersAttemptRunsAgainAtOnceAndCounts() throws {
        var scheduler = Scheduler(.init(mapTasks: 2, reduceTasks: 1, leaseTimeout: .seconds(60), maxAttempts: 2))
        let (first, task) = try #require(started(scheduler.assign(to: a, now: at(0))))
        let (other, _) = try #require(started(scheduler.assign(to: b, now: at(0))))
        // b is committing its attempt when it is stopped: that attempt and b's lease stay.
        scheduler.setReporting(other, true, now: at(1))
        #expect(scheduler.leave(b).isEmpty)
        #expect(scheduler.liveWorkers.contains(b))
        #expect(try scheduler.complete(other, by: b, now: at(1)))
        // a is stopped mid-map: no waiting for the lease; the task is the next one handed out.
        #expect(scheduler.leave(a).map(\.id) == [first])
        #expect(!scheduler.liveWorkers.contains(a))
        #expect(scheduler.failures.map(\.kind) == [.lost])
        #expect(scheduler.failures.first?.message.contains("stopped") == true)
        expectConsistent(scheduler)
        #expect(throws: SchedulerError.self) { try scheduler.heartbeat(from: a, attempt: first, now: at(2)) }
        let (second, again) = try #require(started(scheduler.assign(to: b, now: at(2))))
        #expect(again == task)
        // Stopped again: the second loss reaches --max-attempts 2 and fails the job.
        #expect(scheduler.leave(b).map(\.id) == [second])
        #expect(scheduler.isFinished && !scheduler.isComplete)
        expectConsistent(scheduler)
    }

    /// Review item 5: after a pause of the coordinator longer than the lease (SIGSTOP, a suspended host), its first
    /// look expired every lease before any worker could be heard. Time it did not run extends the leases.
    @Test func aPauseOfTheCoordinatorExtendsEveryLeaseAndKeepsItsWorkers() throws {
        var scheduler = Scheduler(.init(mapTasks: 2, reduceTasks: 1, leaseTimeout: .seconds(3)))
        let (first, _) = try #require(started(scheduler.assign(to: a, now: at(0))))
        let (second, _) = try #require(started(scheduler.assign(to: b, now: at(1))))
        // Stopped from 1.5 s to 6.5 s.
        scheduler.extendLeases(by: .seconds(5))
        #expect(scheduler.expireLeases(now: at(6.5)).isEmpty)
        #expect(Set(scheduler.liveWorkers) == [a, b])
        #expect(try scheduler.heartbeat(from: b, attempt: second, now: at(7)))
        // a stays silent: its lease runs out 3 s of the coordinator's own time after it was last heard.
        #expect(scheduler.expireLeases(now: at(7.9)).isEmpty)
        #expect(scheduler.expireLeases(now: at(8.1)).map(\.id) == [first])
        expectConsistent(scheduler)
    }

    /// Review item 6: every `task` request from a worker holding an attempt lost that attempt and counted it, so one
    /// client asking five times failed the first map with --max-attempts 4. Such losses are the worker's: they do
    /// not count toward the task, and the third excludes the worker.
    @Test func aWorkerAskingWhileHoldingLosesItsAttemptsUncountedAndIsExcluded() throws {
        var scheduler = Scheduler(.init(mapTasks: 1, reduceTasks: 1, maxAttempts: 2))
        for _ in 0..<Scheduler.maximumGiveUps {
            #expect(started(scheduler.assign(to: a, now: at(0)))?.1 == .map(MapTaskID(0)))
        }
        guard case .excluded(let reason) = scheduler.assign(to: a, now: at(0)) else {
            Issue.record("a worker that gave up three attempts is excluded")
            return
        }
        #expect(reason.contains("3 times"))
        #expect(!scheduler.isFinished, "the map failed no attempt of its own: \(scheduler.failures)")
        #expect(scheduler.failures.count == 3 && scheduler.failures.allSatisfy { $0.kind == .lost })
        #expect(!scheduler.liveWorkers.contains(a) && scheduler.excluded[a] != nil)
        #expect(scheduler.assign(to: a, now: at(1)) == .excluded(reason), "and stays excluded")
        let (attempt, task) = try #require(started(scheduler.assign(to: b, now: at(1))))
        #expect(task == .map(MapTaskID(0)))
        #expect(try scheduler.complete(attempt, by: b, now: at(2)))
        expectConsistent(scheduler)
    }

    @Test func heartbeatsKeepALeaseAlive() throws {
        var scheduler = Scheduler(.init(mapTasks: 1, reduceTasks: 1, leaseTimeout: .seconds(10)))
        let (attempt, _) = try #require(started(scheduler.assign(to: a, now: at(0))))
        for second in stride(from: 3.0, through: 30, by: 3) {
            #expect(try scheduler.heartbeat(from: a, attempt: attempt, now: at(second)))
            #expect(scheduler.expireLeases(now: at(second + 1)).isEmpty)
        }
        #expect(try scheduler.complete(attempt, by: a, now: at(31)))
    }

    @Test func heartbeatTellsALostAttemptItIsNoLongerWanted() throws {
        var scheduler = Scheduler(.init(mapTasks: 1, reduceTasks: 1, leaseTimeout: .seconds(10)))
        let (attempt, _) = try #require(started(scheduler.assign(to: a, now: at(0))))
        scheduler.expireLeases(now: at(11))
        // Dead worker: refused until it asks for work again.
        #expect(throws: SchedulerError.self) { try scheduler.heartbeat(from: a, attempt: attempt, now: at(12)) }
        _ = scheduler.assign(to: a, now: at(12))
        #expect(try scheduler.heartbeat(from: a, attempt: attempt, now: at(12)) == false)
    }

    @Test func duplicateCompletionIsIgnored() throws {
        var scheduler = Scheduler(.init(mapTasks: 1, reduceTasks: 1))
        let (attempt, _) = try #require(started(scheduler.assign(to: a, now: at(0))))
        #expect(try scheduler.complete(attempt, by: a, now: at(1)))
        #expect(try scheduler.complete(attempt, by: a, now: at(1)) == false)
        expectConsistent(scheduler)
    }

    @Test func failedAttemptIsRetriedUntilTheLimitThenFailsTheJob() throws {
        var scheduler = Scheduler(.init(mapTasks: 1, reduceTasks: 1, maxAttempts: 3))
        for round in 0..<3 {
            let worker = round % 2 == 0 ? a : b
            let (attempt, task) = try #require(started(scheduler.assign(to: worker, now: at(Double(round)))))
            #expect(task == .map(MapTaskID(0)))
            try scheduler.fail(attempt, by: worker, message: "boom \(round)", now: at(Double(round)))
            expectConsistent(scheduler)
        }
        #expect(scheduler.fatalTask == .map(MapTaskID(0)))
        #expect(scheduler.isFinished && !scheduler.isComplete)
        #expect(scheduler.failures.map(\.message) == ["boom 0", "boom 1", "boom 2"])
        #expect(scheduler.assign(to: a, now: at(5)) == .finished)
    }

    @Test func lostMapOutputReRunsTheMapThenTheReduce() throws {
        var scheduler = Scheduler(.init(mapTasks: 2, reduceTasks: 2, maxAttempts: 1))
        for worker in [a, b] {
            let (attempt, _) = try #require(started(scheduler.assign(to: worker, now: at(0))))
            #expect(try scheduler.complete(attempt, by: worker, now: at(1)))
        }
        let (r0, _) = try #require(started(scheduler.assign(to: a, now: at(1))))
        let (r1, _) = try #require(started(scheduler.assign(to: b, now: at(1))))
        // Reduce 0 finds map 1's output damaged: map 1 runs again before any reduce is handed out.
        #expect(try scheduler.lostMapOutput(MapTaskID(1), reportedBy: r0, worker: a, now: at(2)))
        expectConsistent(scheduler)
        #expect(!scheduler.mapsCommitted)
        let (m1, task) = try #require(started(scheduler.assign(to: a, now: at(2))))
        #expect(task == .map(MapTaskID(1)))
        // Reduce 1 reports the same file: nothing more to re-run.
        #expect(try scheduler.lostMapOutput(MapTaskID(1), reportedBy: r1, worker: b, now: at(2)) == false)
        #expect(scheduler.assign(to: b, now: at(2)) == .wait)
        #expect(try scheduler.complete(m1, by: a, now: at(3)))
        var retried: Set<TaskID> = []
        for worker in [a, b] {
            let (retry, task) = try #require(started(scheduler.assign(to: worker, now: at(3))))
            retried.insert(task)
            #expect(try scheduler.complete(retry, by: worker, now: at(4)))
        }
        #expect(retried == [.reduce(ReduceTaskID(0)), .reduce(ReduceTaskID(1))])
        #expect(scheduler.isComplete)
        #expect(scheduler.fatalTask == nil && scheduler.failures.isEmpty, "a lost input is nobody's failure")
        expectConsistent(scheduler)
    }

    @Test func stragglerGetsABackupAndTheFirstCommitWins() throws {
        var scheduler = Scheduler(.init(mapTasks: 3, reduceTasks: 1, stragglerFactor: 3, stragglerMinimum: .seconds(1)))
        let (m0, _) = try #require(started(scheduler.assign(to: a, now: at(0))))
        let (slow, slowTask) = try #require(started(scheduler.assign(to: b, now: at(0))))
        #expect(try scheduler.complete(m0, by: a, now: at(0.5)))
        let (m2, _) = try #require(started(scheduler.assign(to: a, now: at(0.5))))
        #expect(try scheduler.complete(m2, by: a, now: at(1)))
        // Median 0.5 s: the slow task becomes a straggler after max(1.5 s, 1 s), not before.
        #expect(scheduler.assign(to: a, now: at(1.4)) == .wait)
        let (backup, backupTask) = try #require(started(scheduler.assign(to: a, now: at(1.6))))
        #expect(backupTask == slowTask)
        #expect(scheduler.assign(to: WorkerID("c"), now: at(1.7)) == .wait, "one backup per task")
        expectConsistent(scheduler)
        #expect(try scheduler.complete(backup, by: a, now: at(2)))
        #expect(try scheduler.heartbeat(from: b, attempt: slow, now: at(2)) == false, "the slow attempt is told it lost")
        #expect(try scheduler.complete(slow, by: b, now: at(10)) == false)
        #expect(scheduler.committedMapAttempts == [m0, backup, m2])
        expectConsistent(scheduler)
    }

    @Test func noBackupsWhenSpeculationIsOffOrBeforeAnyPeerFinished() throws {
        var off = Scheduler(.init(mapTasks: 2, reduceTasks: 1, speculation: false))
        let (first, _) = try #require(started(off.assign(to: a, now: at(0))))
        _ = off.assign(to: b, now: at(0))
        #expect(try off.complete(first, by: a, now: at(1)))
        #expect(off.assign(to: a, now: at(100)) == .wait)
        var early = Scheduler(.init(mapTasks: 1, reduceTasks: 1))
        _ = early.assign(to: a, now: at(0))
        #expect(early.assign(to: b, now: at(100)) == .wait, "no finished peer, no median, no backup")
    }

    @Test func aFailedTaskIsRetriedOnAnotherWorkerWhereThereIsOne() throws {
        var scheduler = Scheduler(.init(mapTasks: 2, reduceTasks: 1))
        _ = scheduler.assign(to: b, now: at(0))  // b is live, busy with map 0
        let (attempt, task) = try #require(started(scheduler.assign(to: a, now: at(0))))
        #expect(task == .map(MapTaskID(1)))
        try scheduler.fail(attempt, by: a, message: "boom", now: at(1))
        #expect(scheduler.assign(to: a, now: at(1)) == .wait, "map 1 failed on a; b can take it")
        let (retry, retried) = try #require(started(scheduler.assign(to: b, now: at(1))))
        #expect(retried == .map(MapTaskID(1)))
        try scheduler.fail(retry, by: b, message: "boom", now: at(2))
        // Every live worker has failed it now: either may run it, once it has no other task (b gave map 0 up when it
        // asked for work again: a takes it first).
        #expect(started(scheduler.assign(to: a, now: at(2)))?.1 == .map(MapTaskID(0)))
        #expect(started(scheduler.assign(to: b, now: at(2)))?.1 == .map(MapTaskID(1)))
        expectConsistent(scheduler)
    }

    /// A worker alone (the others not registered yet) that failed a task gets the other pending tasks before that
    /// one again: a bad worker that registered first cannot use up one task's attempts before anyone else could try
    /// it. (The simulation found it: with --max-attempts 2, a worker with another shared directory failed map 0
    /// twice in its first second, and the job.)
    @Test func aWorkerAloneTakesTheTasksItHasNotFailedFirst() throws {
        var scheduler = Scheduler(.init(mapTasks: 3, reduceTasks: 1, maxAttempts: 2))
        var tasks: [TaskID] = []
        for round in 0..<3 {
            let (attempt, task) = try #require(started(scheduler.assign(to: a, now: at(Double(round)))))
            tasks.append(task)
            try scheduler.fail(attempt, by: a, message: "boom", now: at(Double(round)))
        }
        #expect(tasks == [.map(MapTaskID(0)), .map(MapTaskID(1)), .map(MapTaskID(2))])
        #expect(scheduler.fatalTask == nil)
        // b arrives: it gets the tasks a failed; a, having failed them all, may still retry one (it is not alone).
        #expect(started(scheduler.assign(to: b, now: at(3)))?.1 == .map(MapTaskID(2)))
        expectConsistent(scheduler)
    }

    /// A worker that fails three tasks, one of which then commits on another worker, is excluded: it gets no more
    /// work, and its failures no longer count toward its tasks' attempts. (Issue 23: a worker with the wrong
    /// --shared-dir failed the first attempt of every task to the end of the job.)
    @Test func aWorkerWhoseTasksFailWhereOthersSucceedIsExcludedAndItsFailuresForgiven() throws {
        var scheduler = Scheduler(.init(mapTasks: 4, reduceTasks: 1, maxAttempts: 2))
        let (first, _) = try #require(started(scheduler.assign(to: a, now: at(0))))
        try scheduler.fail(first, by: a, message: "'/shared/...' is missing", now: at(0))
        let (onB, task) = try #require(started(scheduler.assign(to: b, now: at(0))))
        #expect(task == .map(MapTaskID(0)), "what failed on a goes to b")
        for second in 1...2 {
            let (attempt, _) = try #require(started(scheduler.assign(to: a, now: at(Double(second)))))
            try scheduler.fail(attempt, by: a, message: "'/shared/...' is missing", now: at(Double(second)))
        }
        if case .excluded = scheduler.assign(to: a, now: at(3)) { Issue.record("excluded before any task it failed committed elsewhere") }
        #expect(try scheduler.complete(onB, by: b, now: at(4)))
        guard case .excluded(let reason) = scheduler.assign(to: a, now: at(5)) else {
            Issue.record("a was not excluded")
            return
        }
        #expect(reason.contains("failed 3 tasks, 1 of which succeeded on other workers"), "\(reason)")
        #expect(scheduler.excluded[a] != nil && !scheduler.liveWorkers.contains(a))
        // Its failures are forgiven: maps 1 and 2 may each fail once on b without failing the job (`maxAttempts` 2).
        var failedOnB: Set<TaskID> = []
        for second in 6...12 {
            guard let (attempt, task) = started(scheduler.assign(to: b, now: at(Double(second)))) else { break }
            if [.map(MapTaskID(1)), .map(MapTaskID(2))].contains(task), failedOnB.insert(task).inserted {
                try scheduler.fail(attempt, by: b, message: "boom", now: at(Double(second)))
            } else {
                _ = try scheduler.complete(attempt, by: b, now: at(Double(second)))
            }
        }
        #expect(failedOnB.count == 2)
        #expect(scheduler.fatalTask == nil, "\(scheduler.fatalReason ?? "")")
        #expect(scheduler.mapsCommitted)
        expectConsistent(scheduler)
    }

    /// Tasks that fail on every worker (a record that crashes the job's code) exclude nobody: no task committed
    /// elsewhere, and the job fails on the task's attempts instead of running out of workers.
    @Test func tasksThatFailEverywhereExcludeNoWorker() throws {
        var scheduler = Scheduler(.init(mapTasks: 3, reduceTasks: 1, maxAttempts: 4))
        var now = 0.0
        while scheduler.fatalTask == nil {
            for worker in [a, b] {
                now += 1
                if case .excluded = scheduler.assign(to: worker, now: at(now)) { Issue.record("\(worker) excluded") }
                guard let held = scheduler.running.values.first(where: { $0.worker == worker }) else { continue }
                try scheduler.fail(held.id, by: worker, message: "the job's code crashed", now: at(now))
            }
        }
        #expect(scheduler.excluded.isEmpty)
        #expect(scheduler.fatalReason?.contains("failed or was lost 4 times") == true)
    }

    @Test func refusedRequestsLeaveTheStateUnchanged() throws {
        var scheduler = Scheduler(.init(mapTasks: 2, reduceTasks: 1))
        let (attempt, _) = try #require(started(scheduler.assign(to: a, now: at(0))))
        let before = scheduler.mapStates
        let unknownWorker = try #require(throws: SchedulerError.self) { try scheduler.complete(attempt, by: WorkerID("ghost"), now: at(1)) }
        #expect(unknownWorker.code == .unknownWorker)
        _ = scheduler.assign(to: b, now: at(1))
        let stolen = try #require(throws: SchedulerError.self) { try scheduler.complete(attempt, by: b, now: at(1)) }
        #expect(stolen.code == .notYourAttempt)
        let never = try #require(throws: SchedulerError.self) { try scheduler.complete(AttemptID(99), by: a, now: at(1)) }
        #expect(never.code == .unknownAttempt)
        #expect(scheduler.running[attempt]?.worker == a)
        #expect(scheduler.mapStates.first == before.first)
        expectConsistent(scheduler)
    }

    /// Random interleavings of every operation keep the invariants, and the job always finishes with each task
    /// committed exactly once.
    @Test(arguments: 0..<20)
    func randomOperationsKeepInvariants(seed: Int) throws {
        var random = SeededRandom(seed: UInt64(seed))
        var scheduler = Scheduler(.init(mapTasks: 5, reduceTasks: 3, leaseTimeout: .seconds(10), maxAttempts: 1000))
        var workers = (0..<4).map { WorkerID("w\($0)") }
        var held: [AttemptID: WorkerID] = [:]
        var now = 0.0
        var steps = 0
        while !scheduler.isFinished {
            steps += 1
            #expect(steps < 10_000)
            now += Double(random.next() % 4)
            let slot = Int(random.next() % 4)
            let worker = workers[slot]
            switch random.next() % 6 {
            case 0, 1:
                switch scheduler.assign(to: worker, now: at(now)) {
                case .run(let attempt, _): held[attempt] = worker
                // Excluded for asking while holding attempts: a supervisor starts a new worker in its place.
                case .excluded: workers[slot] = WorkerID("w\(slot)-\(steps)")
                default: break
                }
            case 2:
                if let (attempt, owner) = held.randomElement(using: &random) {
                    _ = try? scheduler.complete(attempt, by: owner, now: at(now))
                    held[attempt] = nil
                }
            case 3:
                if let (attempt, owner) = held.randomElement(using: &random) {
                    try? scheduler.fail(attempt, by: owner, message: "x", now: at(now))
                    held[attempt] = nil
                }
            case 4:
                scheduler.expireLeases(now: at(now))
            default:
                if random.next() % 4 == 0 {
                    for attempt in scheduler.leave(worker) { held[attempt.id] = nil }
                }
            }
            #expect(scheduler.invariantViolation() == nil)
        }
        #expect(scheduler.isComplete)
    }
}
