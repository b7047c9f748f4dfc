import Foundation
import Logging
package import MapReduce

/// Completions and failure reports: begun, confirmed and journaled by the shell, then decided.
extension CoordinatorCore {
    // MARK: Completions

    /// Begins a completion: checks it against the plan (a 4xx before anything changes) and says whether it is
    /// answered at once or must be confirmed on disk.
    package mutating func beginCompletion(_ request: CompletionRequest, now: ContinuousClock.Instant) throws(SchedulerError) -> (
        CompletionStart, CoordinatorEffects
    ) {
        var effects = CoordinatorEffects()
        guard let attempt = scheduler.running[request.attempt] else {
            // Not running: a repeated report of a committed attempt, a stale one (answered `false`), or one the
            // scheduler refuses.
            let accepted = try scheduler.complete(request.attempt, by: request.worker, now: now)
            return (.answered(CompletionResponse(accepted: accepted || scheduler.hasCommitted(request.attempt))), effects)
        }
        try scheduler.checkReport(from: request.worker, about: request.attempt)
        let result = try CompletionCheck(plan: plan).validate(request, task: attempt.task)
        guard !attempt.reporting else {
            // A failure report of this attempt is being decided, and the first report decides.
            effects.log(
                .info, "ignored a completion of an attempt whose failure report is being decided", metadata(request.worker, request.attempt, attempt.task))
            return (.answered(CompletionResponse(accepted: false)), effects)
        }
        guard !reporting.contains(attempt.task) else {
            // Another attempt of the task is being committed: this one lost the race.
            scheduler.discard(request.attempt)
            effects.log(.info, "ignored completion", metadata(request.worker, request.attempt, attempt.task))
            return (.answered(CompletionResponse(accepted: false)), effects)
        }
        reporting.insert(attempt.task)
        scheduler.setReporting(request.attempt, true, now: now)
        return (.confirm(attempt, result), effects)
    }

    /// Takes the confirmation of a completion begun with ``beginCompletion(_:now:)``: `problem` is what was wrong
    /// on disk, if anything.
    package mutating func completionConfirmed(
        _ request: CompletionRequest, _ attempt: Scheduler.Attempt, _ result: CompletionCheck.Result, problem: (any Error)?, now: ContinuousClock.Instant
    ) -> CommitStep {
        guard scheduler.running[request.attempt] != nil else {
            reporting.remove(attempt.task)
            return .abandoned
        }
        if let problem {
            reporting.remove(attempt.task)
            scheduler.setReporting(request.attempt, false, now: now)
            return .failed(failCommit(request, problem, now: now))
        }
        // The report stays open until the entry is on disk: nothing may end the attempt while the journal may
        // already say it committed.
        return .journal(result.journalEntry(attempt: request.attempt))
    }

    /// Commits a completion whose journal entry was appended (or fails it: `error` is why the append failed).
    package mutating func completionJournaled(
        _ request: CompletionRequest, _ attempt: Scheduler.Attempt, _ result: CompletionCheck.Result, error: (any Error)?, now: ContinuousClock.Instant
    ) -> (CompletionResponse, CoordinatorEffects) {
        reporting.remove(attempt.task)
        if let error {
            scheduler.setReporting(request.attempt, false, now: now)
            return (CompletionResponse(accepted: false), failCommit(request, error, now: now))
        }
        var effects = CoordinatorEffects()
        let accepted = scheduler.commitJournaled(request.attempt, now: now)
        switch result {
        case .map(let id, let output): accounting.committed(id, output)
        case .reduce(let id, _, let output): accounting.committed(id, output)
        }
        effects.log(.info, "committed", metadata(request.worker, request.attempt, attempt.task))
        if accepted { recordCommit(request.attempt, result, request.worker, into: &effects) }
        progress.removeValue(forKey: request.attempt)
        stateChanged(now: now, into: &effects)
        return (CompletionResponse(accepted: accepted), effects)
    }

    mutating func failCommit(_ request: CompletionRequest, _ problem: any Error, now: ContinuousClock.Instant) -> CoordinatorEffects {
        var effects = CoordinatorEffects()
        // The attempt was checked as running and issued to this worker: failing it cannot be refused.
        try? scheduler.fail(request.attempt, by: request.worker, message: "its completion could not be committed: \(problem)", now: now)
        stateChanged(now: now, into: &effects)
        return effects
    }

    /// Records the commit of `attempt` of `task` with what it read and wrote, and the end of its phase if it was
    /// the last.
    mutating func recordCommit(_ attempt: AttemptID, _ result: CompletionCheck.Result, _ worker: WorkerID?, into effects: inout CoordinatorEffects) {
        let event = Self.commitEvent(attempt, result, worker: worker)
        emit(event, into: &effects)
        let phase = event.phase ?? ""
        let done = phase == "map" ? scheduler.mapsCommitted : scheduler.isComplete
        if done, phasesEnded.insert(phase).inserted {
            var ended = JobEvent(.phaseEnded)
            ended.phase = phase
            emit(ended, into: &effects)
        }
    }

    /// The event of `attempt` committing `result` (on `worker`, if known).
    static func commitEvent(_ attempt: AttemptID, _ result: CompletionCheck.Result, worker: WorkerID?) -> JobEvent {
        var event: JobEvent
        switch result {
        case .map(let id, let output):
            event = .attempt(.taskCommitted, .map(id), attempt, worker: worker)
            event.inputBytes = output.inputBytes
            event.inputRecords = output.inputRecords
            event.outputBytes = output.file.bytes
            event.outputRecords = output.file.records
            event.spills = output.spills
            event.counters = output.counters.isEmpty ? nil : output.counters
        case .reduce(let id, _, let output):
            event = .attempt(.taskCommitted, .reduce(id), attempt, worker: worker)
            event.inputRecords = output.inputRecords
            event.inputBytes = output.inputBytes
            event.outputBytes = output.bytes
            event.outputRecords = output.records
            event.counters = output.counters.isEmpty ? nil : output.counters
            event.hotKeys = output.hotKeys.isEmpty ? nil : output.hotKeys
        }
        return event
    }

    // MARK: Failures

    /// Begins a failure report. If a reduce could not read a committed map output, the shell reads that file:
    /// a damaged file runs its map task again (the reduce is retried, neither counting as a failure); a file it
    /// finds intact means the reporting worker's view of the shared directory is wrong, which fails the reduce
    /// attempt, naming the worker.
    package mutating func beginFailure(_ request: FailureRequest, now: ContinuousClock.Instant) throws(SchedulerError) -> FailureStart {
        var effects = CoordinatorEffects()
        guard let attempt = scheduler.running[request.attempt] else {
            try scheduler.fail(request.attempt, by: request.worker, message: request.error, now: now)
            return .done(effects)
        }
        try scheduler.checkReport(from: request.worker, about: request.attempt)
        if attempt.reporting {
            // Its completion (or an earlier failure report) is being decided, and the first report decides.
            effects.log(.info, "ignored a failure report of an attempt whose report is being decided", metadata(request.worker, request.attempt, attempt.task))
            return .done(effects)
        }
        var message = request.error
        // Only a reduce's inputs are map outputs the coordinator can have written again; a map that cannot read an
        // earlier step's output fails with the reason.
        if let lost = request.lostInput, case .reduce(let reduce) = attempt.task {
            if let input = committedInput(lost) {
                scheduler.setReporting(request.attempt, true, now: now)
                return .checkDamage(map: input.map, file: input.file, partition: reduce.rawValue)
            }
            message += " (it named '\(lost)' as damaged, which is not one of its inputs)"
        }
        try scheduler.fail(request.attempt, by: request.worker, message: message, now: now)
        stateChanged(now: now, into: &effects)
        return .done(effects)
    }

    /// Takes what reading the map output named by a failure found: `damage`, or `nil` for intact.
    package mutating func damageChecked(_ request: FailureRequest, map: MapTaskID, damage: String?, now: ContinuousClock.Instant) -> DamageStep {
        var effects = CoordinatorEffects()
        guard scheduler.running[request.attempt] != nil else { return .done(effects) }
        // A loss keeps the report open until its entry is on disk, as a completion does.
        if damage != nil { return .journal(JournalEntry(event: .mapLost, task: map.rawValue)) }
        scheduler.setReporting(request.attempt, false, now: now)
        let lost = request.lostInput ?? ""
        let message =
            "\(request.worker) could not read '\(lost)' (\(request.error)), but the coordinator reads it intact: the view of the shared directory on \(request.worker) differs from the coordinator's (a missing or different mount?)"
        try? scheduler.fail(request.attempt, by: request.worker, message: message, now: now)
        stateChanged(now: now, into: &effects)
        return .done(effects)
    }

    /// Puts map task `map` back to run, its loss journaled (or fails the reporting attempt: `error` is why the
    /// append failed).
    package mutating func lossJournaled(
        _ request: FailureRequest, map: MapTaskID, damage: String, error: (any Error)?, now: ContinuousClock.Instant
    ) throws(SchedulerError) -> CoordinatorEffects {
        var effects = CoordinatorEffects()
        scheduler.setReporting(request.attempt, false, now: now)
        if let error {
            try scheduler.fail(request.attempt, by: request.worker, message: "\(request.error); the loss could not be journaled: \(error)", now: now)
            stateChanged(now: now, into: &effects)
            return effects
        }
        if try scheduler.lostMapOutput(map, reportedBy: request.attempt, worker: request.worker, now: now) {
            accounting.lost(map)
            var event = JobEvent.attempt(.mapOutputLost, .map(map), request.attempt, worker: request.worker, message: damage)
            event.attempt = nil
            emit(event, into: &effects)
        }
        effects.log(
            .warning, "intermediate file lost; re-running its map task",
            ["mr.worker": "\(request.worker)", "mr.attempt": "\(request.attempt.rawValue)", "mr.task": "\(map)", "mr.error": "\(damage)"])
        stateChanged(now: now, into: &effects)
        return effects
    }

    /// The map task and committed file that `path` is, if it is a committed map output (every reduce reads one
    /// range of each).
    func committedInput(_ path: String) -> (map: MapTaskID, file: IntermediateFileSummary)? {
        for (index, attempt) in scheduler.committedMapAttempts.enumerated() {
            guard let attempt, let output = accounting[MapTaskID(index)] else { continue }
            let map = MapTaskID(index)
            if plan.mapOutputFile(map, attempt) == path { return (map, output.file) }
        }
        return nil
    }
}
