import Foundation
import Logging
import MapReduce

/// Carrying out what the core asks: records, logs, gauges, finishing work, and waking long polls.
extension Coordinator {
    /// Carries out what a transition of the core asked for: records its events, logs its lines, updates the
    /// gauges, does the finishing work due (and what the core asks after it), and wakes the waiting polls.
    func carryOut(_ effects: CoordinatorEffects) {
        var effects = effects
        while true {
            for line in effects.logs { logger.log(level: line.level, "\(line.message)", metadata: line.metadata) }
            for emitted in effects.events { record(emitted) }
            if effects.expiredLeases > 0 { metrics.leasesExpired(effects.expiredLeases) }
            if effects.gauges { updateGauges() }
            if effects.wake {
                signal.notifyAll()
                if core.outcome != nil { endSignal.notifyAll() }
            }
            guard let finishing = effects.finishing else { return }
            effects = finish(finishing)
        }
    }

    /// Does `work`, and returns what the core makes of its result.
    func finish(_ work: CoordinatorEffects.Finishing) -> CoordinatorEffects {
        let now = clock()
        do {
            switch work {
            case .publish(let summary, let badRecordLists, let jobSeconds, let doomed):
                let written = try OutputCommitter(core.plan).finish(summary, badRecordLists: badRecordLists, jobSeconds: jobSeconds)
                for path in doomed { remove(path) }
                return core.published(written, now: now)
            case .planNextStep:
                let next = try JobDirectory.planStep(core.plan.stepIndex + 1, of: job, after: core.plan)
                let nextJournal = try Journal(path: "\(next.directory)/journal")
                let step = try CoordinatorCore.prepare(
                    next, job: job, journal: nextJournal.entries, journalPath: nextJournal.path, settings: configuration)
                try nextJournal.append(step.startEntry)
                journal = nextJournal
                return core.enter(step, now: now)
            }
        } catch {
            return core.finishingFailed(error, now: now)
        }
    }

    /// Folds `emitted` into the history, appends it to the event log, and counts it in the metrics. A phase's start
    /// or end an earlier coordinator recorded is not recorded again; nor is a commit restored from the journal
    /// that the history holds (it is counted in this process's metrics, so their totals are the whole job's).
    func record(_ emitted: CoordinatorEffects.Emitted) {
        let event = emitted.event
        switch event.kind {
        case .phaseStarted where history.phases[event.phase ?? ""] != nil: return
        case .phaseEnded where history.phases[event.phase ?? ""]?.ended != nil: return
        default: break
        }
        if emitted.isRestoredCommit, history.tasks[JobHistory.Key(phase: event.phase ?? "", number: event.task ?? 0)]?.state == "committed" {
            metrics.record(event, history: history)
            return
        }
        Self.record(emitted, into: &history, events: events, metrics: metrics, logger: logger)
    }

    static func record(
        _ emitted: CoordinatorEffects.Emitted, into history: inout JobHistory, events: EventLog?, metrics: CoordinatorMetrics, logger: Logger
    ) {
        history.apply(emitted.event)
        metrics.record(emitted.event, history: history)
        do {
            try events?.append(emitted.event)
        } catch {
            logger.warning("cannot append to the job's history", metadata: ["mr.error": "\(error)"])
        }
    }

    /// Sets the metrics' gauges from the state: on every tick and when the job ends, so a job of many tasks does
    /// not pay for it on every report. Live workers are counted as the page counts them: none once the job ended.
    func updateGauges() {
        let scheduler = core.scheduler
        metrics.update(
            maps: TaskCounts(scheduler.mapStates), reduces: TaskCounts(scheduler.reduceStates),
            workersAlive: core.outcome == nil ? scheduler.liveWorkers.count : 0, finished: core.outcome != nil)
    }

    /// Renames `path` aside at once (so nothing finds it where it was), then removes it on a thread of its own.
    func remove(_ path: String) {
        let aside = "\(path).removed-\(getpid())-\(removals.count)"
        let target = rename(path, aside) == 0 ? aside : path
        removals.append(BlockingWork { try? FileManager.default.removeItem(atPath: target) })
    }

    /// Waits until the intermediate data of the finished steps is removed (call it before the process exits).
    public func removeIntermediateData() async {
        for removal in removals { _ = await removal.value() }
        removals = []
    }
}
