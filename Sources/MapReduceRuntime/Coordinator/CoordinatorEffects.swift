package import Logging
package import MapReduce

/// What a transition of ``CoordinatorCore`` asks its shell to do: the events to record, the lines to log, whether
/// waiting polls should look again, and the finishing work (file I/O) due now. The core performs none of it.
package struct CoordinatorEffects: Sendable {
    /// A line for the coordinator's log.
    package struct LogLine: Sendable {
        package var level: Logger.Level
        package var message: String
        package var metadata: Logger.Metadata
    }

    /// Finishing work the shell performs, then reports back (``CoordinatorCore/published(_:now:)``,
    /// ``CoordinatorCore/enter(_:now:)`` or ``CoordinatorCore/finishingFailed(_:now:)``).
    package enum Finishing: Sendable {
        /// Write the step's `_summary.json`, `_bad_records.jsonl` and `_SUCCESS` (``OutputCommitter/finish(_:badRecordLists:jobSeconds:)``),
        /// then remove `doomed` (intermediate data no later step reads).
        case publish(summary: JobSummary, badRecordLists: [String], jobSeconds: Double, doomed: [String])
        /// Plan the step after the one just finished and open its journal (``CoordinatorCore/prepare(_:job:journal:journalPath:settings:)``).
        case planNextStep
    }

    /// An event for the history, the metrics and `_events.jsonl`.
    package struct Emitted: Sendable {
        package var event: JobEvent
        /// Whether it is a commit restored from the journal: recorded unless the history already holds it (an
        /// earlier coordinator recorded it), counted in this process's metrics either way.
        package var isRestoredCommit = false
    }

    /// Events, in order.
    package var events: [Emitted] = []
    /// Lines to log, in order.
    package var logs: [LogLine] = []
    /// Whether waiting polls should look again (there may be a task for them, or the job ended).
    package var wake = false
    /// Leases that ran out in this transition.
    package var expiredLeases = 0
    /// Whether the metrics' gauges should be set again from the state.
    package var gauges = false
    /// Finishing work due now.
    package var finishing: Finishing?

    package init() {}

    mutating func log(_ level: Logger.Level, _ message: String, _ metadata: Logger.Metadata = [:]) {
        logs.append(LogLine(level: level, message: message, metadata: metadata))
    }

    /// These effects, then `later`'s.
    package mutating func append(_ later: CoordinatorEffects) {
        events += later.events
        logs += later.logs
        wake = wake || later.wake
        expiredLeases += later.expiredLeases
        gauges = gauges || later.gauges
        finishing = later.finishing ?? finishing
    }
}
