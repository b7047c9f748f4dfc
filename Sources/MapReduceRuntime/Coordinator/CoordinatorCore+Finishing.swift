import Foundation
import Logging
package import MapReduce

/// Time passing, the job's outcome, finishing a step and starting the next.
extension CoordinatorCore {
    // MARK: Time

    /// Expires leases, retries finishing the output if it failed, and says whether waiting requests should look
    /// again (a task may have become a straggler worth a backup just by time passing). Called on every tick.
    ///
    /// Waiting requests are woken only when there may be something for them: a lost attempt's task to run again,
    /// a straggler to back up, or the job's end. Idle pollers cost nothing between changes.
    package mutating func tick(now: ContinuousClock.Instant) -> CoordinatorEffects {
        var effects = CoordinatorEffects()
        // Ticks come every 250 ms at most: a longer gap is time this process did not run (SIGSTOP, a suspended host,
        // a stall), in which no worker could be heard. Leases are judged by the time the coordinator saw.
        let pauseAllowance = max(settings.leaseTimeout / 4, .milliseconds(250))
        if now - lastTick > pauseAllowance {
            let pause = now - lastTick - pauseAllowance
            effects.log(.notice, "the coordinator did not run for \(pause) (stopped, suspended or stalled): leases are extended by that")
            scheduler.extendLeases(by: pause)
        }
        lastTick = now
        for worker in polling.keys where !departed.contains(worker) && !disconnected.contains(worker) { scheduler.renew(worker, now: now) }
        let alive = Set(scheduler.liveWorkers)
        let lost = scheduler.expireLeases(now: now)
        effects.expiredLeases = lost.count
        // A worker lost with its connection was reported then (it stays live while an attempt of its commits).
        for worker in alive.subtracting(scheduler.liveWorkers).sorted() where !disconnected.contains(worker) {
            forget(lost: worker, because: nil, into: &effects)
        }
        reportEndings(into: &effects)
        effects.gauges = true
        let wasSettled = outcome != nil
        settle(now: now, into: &effects)
        if !lost.isEmpty || outcome != nil && !wasSettled || scheduler.hasBackupCandidate(now: now) { effects.wake = true }
        return effects
    }

    // MARK: Deciding the outcome

    /// After a report changed the state: reports the attempts that ended, decides the job's outcome if it can,
    /// and wakes the waiting polls (there may be a task for them now).
    mutating func stateChanged(now: ContinuousClock.Instant, into effects: inout CoordinatorEffects) {
        reportEndings(into: &effects)
        settle(now: now, into: &effects)
        effects.wake = true
    }

    /// Reports the failed and lost attempts not reported yet.
    mutating func reportEndings(into effects: inout CoordinatorEffects) {
        for ending in scheduler.failures.dropFirst(endingsReported) {
            var fields = metadata(ending.worker, ending.attempt, ending.task)
            fields["mr.error"] = "\(ending.message)"
            effects.log(.warning, ending.kind == .lost ? "attempt lost; re-queued" : "attempt failed", fields)
            emit(
                .attempt(ending.kind == .lost ? .attemptLost : .attemptFailed, ending.task, ending.attempt, worker: ending.worker, message: ending.message),
                into: &effects)
            progress.removeValue(forKey: ending.attempt)
        }
        endingsReported = scheduler.failures.count
    }

    /// Decides the job's outcome when it can: failed (a task ran out of attempts, or too many bad records), or
    /// succeeded once every task committed and the output's metadata is written. Finishing is work for the shell
    /// (``CoordinatorEffects/finishing``); a failure of it is retried on later ticks, and fails the job after
    /// ``finishingTries``.
    mutating func settle(now: ContinuousClock.Instant, into effects: inout CoordinatorEffects) {
        guard outcome == nil else { return }
        if let task = scheduler.fatalTask {
            end(.failed(failureReport(task)), into: &effects)
            return
        }
        do {
            try accounting.checkBadRecords(limit: plan.configuration.skipBadRecords)
        } catch {
            end(.failed(error.message), into: &effects)
            return
        }
        guard scheduler.isComplete, now >= finishing.next, !finishing.underWay else { return }
        if !finishing.published {
            let attempts = JobAccounting.Attempts(
                map: scheduler.attemptsStarted.map, reduce: scheduler.attemptsStarted.reduce, failed: scheduler.failures.count { $0.kind == .failed },
                lost: scheduler.failures.count { $0.kind == .lost })
            do {
                let summary = try accounting.summary(job: job.steps[plan.stepIndex].name, attempts: attempts, seconds: (now - stepStarted).seconds)
                let doomed = plan.isLastStep ? [plan.layout.jobDirectory] : ["map", "reduce"].map { "\(plan.directory)/\($0)" }
                finishing.underWay = true
                effects.finishing = .publish(
                    summary: summary, badRecordLists: accounting.badRecordLists(plan, committedBy: scheduler.committedMapAttempts),
                    jobSeconds: (now - started).seconds, doomed: doomed)
            } catch {
                finishingFailed(error, now: now, into: &effects)
            }
        } else if plan.isLastStep {
            end(.succeeded, into: &effects)
            effects.log(.info, "job succeeded", ["mr.job": "\(plan.job)"])
        } else {
            finishing.underWay = true
            effects.finishing = .planNextStep
        }
    }

    /// Takes the step's published metadata (`written`, the summary as written): the job succeeds, or its next step
    /// is planned.
    package mutating func published(_ written: JobSummary, now: ContinuousClock.Instant) -> CoordinatorEffects {
        var effects = CoordinatorEffects()
        finishing.published = true
        finishing.underWay = false
        if plan.isLastStep { jobSummary = written }
        settle(now: now, into: &effects)
        return effects
    }

    /// Takes a failure of finishing work: tried again later, until ``finishingTries``.
    package mutating func finishingFailed(_ error: any Error, now: ContinuousClock.Instant) -> CoordinatorEffects {
        var effects = CoordinatorEffects()
        finishingFailed(error, now: now, into: &effects)
        return effects
    }

    mutating func finishingFailed(_ error: any Error, now: ContinuousClock.Instant, into effects: inout CoordinatorEffects) {
        finishing.underWay = false
        finishing.tries += 1
        effects.log(.error, "cannot finish the output", ["mr.error": "\(error)", "mr.try": "\(finishing.tries)"])
        if finishing.tries >= Self.finishingTries {
            end(
                .failed(
                    "every task\(plan.stepCount > 1 ? " of step \(plan.stepIndex + 1)" : "") committed, but \(finishing.published ? "the next step could not be planned" : "the output's metadata could not be written") (\(finishing.tries) tries): \(error); fix that and run the coordinator again with the same arguments to finish the job"
                ), into: &effects)
        } else {
            finishing.next = now + .seconds(finishing.tries)
        }
    }

    /// Runs `step`, the step after the one that just finished (its start entry appended), with the same workers:
    /// attempts of the finished step still reported are refused as stale.
    package mutating func enter(_ step: PreparedStep, now: ContinuousClock.Instant) -> CoordinatorEffects {
        let finished = plan.stepIndex
        plan = step.plan
        scheduler = step.scheduler
        accounting = step.accounting
        restored = step.restored
        stepStarted = now
        finishing = (0, now, false, false)
        endingsReported = 0
        reporting = []
        progress = [:]
        phasesStarted = []
        phasesEnded = []
        lastAssignments = [:]
        var effects = CoordinatorEffects()
        effects.log(.info, "step started", ["mr.step": "\(plan.stepIndex + 1)", "mr.finished": "\(finished + 1)", "mr.maps": "\(plan.mapTasks.count)"])
        emit(Self.startEvent(.stepStarted, plan, job), into: &effects)
        effects.append(resume(now: now))
        effects.wake = true
        return effects
    }

    /// Brings the history up to the journal of the running step and finishes at once if the journal showed every
    /// task committed (the previous coordinator died just before writing `_SUCCESS`, or could not write it).
    package mutating func resume(now: ContinuousClock.Instant) -> CoordinatorEffects {
        var effects = CoordinatorEffects()
        if restored.maps > 0 || restored.reduces > 0 {
            effects.log(
                .info, "resumed from journal", ["mr.step": "\(plan.stepIndex + 1)", "mr.maps": "\(restored.maps)", "mr.reduces": "\(restored.reduces)"])
        }
        for (index, attempt) in scheduler.committedMapAttempts.enumerated() {
            if let attempt, let output = accounting.maps[index] { restoreCommit(attempt, .map(MapTaskID(index), output), into: &effects) }
        }
        for (index, state) in scheduler.reduceStates.enumerated() {
            if case .committed(let attempt) = state, let output = accounting.reduces[index] {
                restoreCommit(attempt, .reduce(ReduceTaskID(index), attempt, output), into: &effects)
            }
        }
        effects.gauges = true
        settle(now: now, into: &effects)
        return effects
    }

    mutating func restoreCommit(_ attempt: AttemptID, _ result: CompletionCheck.Result, into effects: inout CoordinatorEffects) {
        var event = Self.commitEvent(attempt, result, worker: nil)
        if plan.stepCount > 1 { event.step = plan.stepIndex + 1 }
        effects.events.append(.init(event: event, isRestoredCommit: true))
        let phase = event.phase ?? ""
        phasesStarted.insert(phase)
        if phase == "map" ? scheduler.mapsCommitted : scheduler.isComplete, phasesEnded.insert(phase).inserted {
            var ended = JobEvent(.phaseEnded)
            ended.phase = phase
            emit(ended, into: &effects)
        }
    }

    /// Sets the job's outcome, once, and records it.
    mutating func end(_ outcome: Outcome, into effects: inout CoordinatorEffects) {
        self.outcome = outcome
        switch outcome {
        case .succeeded: emit(JobEvent(.jobSucceeded), into: &effects)
        case .failed(let report):
            var event = JobEvent(.jobFailed)
            event.message = report
            emit(event, into: &effects)
        }
        effects.gauges = true
        effects.wake = true
    }

    /// The report of a job that failed because of `task`: why, each attempt, and what the task reads.
    func failureReport(_ task: TaskID) -> String {
        let attempts = scheduler.failures.filter { $0.task == task }.map { "  \($0.attempt) on \($0.worker) (\($0.kind.rawValue)): \($0.message)" }
        let reads: String
        switch task {
        case .map(let map):
            reads =
                "  \(map) reads " + plan.mapTasks[map.rawValue].map(\.description).joined(separator: ", ")
                + "; a record there that kills its worker (too long: see --max-record-size; or crashing the job's code) can be skipped with --skip-bad-records"
        case .reduce(let reduce):
            reads = "  \(reduce) reduces partition \(reduce.rawValue) of every map task's output"
        }
        return ([scheduler.fatalReason ?? "\(task) failed"] + attempts + [reads]).joined(separator: "\n")
    }

    /// Adds `event` to `effects`, naming the running step in a job of several.
    func emit(_ event: JobEvent, into effects: inout CoordinatorEffects) {
        var event = event
        if plan.stepCount > 1, event.step == nil { event.step = plan.stepIndex + 1 }
        effects.events.append(.init(event: event))
    }

    func metadata(_ worker: WorkerID, _ attempt: AttemptID, _ task: TaskID) -> Logger.Metadata {
        ["mr.worker": "\(worker)", "mr.attempt": "\(attempt.rawValue)", "mr.task": "\(task)"]
    }
}
