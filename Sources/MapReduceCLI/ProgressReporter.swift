import Foundation
import MapReduceRuntime
import ServiceLifecycle

/// Writes a running coordinator's progress line (``ProgressLine``) until the job is over, and then its last
/// line, even when the job ended (and the service group began to shut down) in the middle of an interval.
struct ProgressReporter: Service {
    let coordinator: Coordinator
    let line: ProgressLine

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while await coordinator.outcome == nil {
                line.write(ProgressLine.Status(await coordinator.overview()))
                try await Task.sleep(for: line.interval)
            }
        }
        if await coordinator.outcome != nil { line.write(ProgressLine.Status(await coordinator.overview())) }
        FileHandle.standardError.write(Data(line.finish.utf8))
    }
}

extension ProgressLine.Status {
    /// The status of the job `overview` shows: the running step's phase, as `step 2/3 map`, in a job of several.
    init(_ overview: JobOverview) {
        let phase = overview.phase == "map" ? overview.maps : overview.reduces
        let running = overview.steps.flatMap { steps in steps.firstIndex { $0.state == "running" }.map { "step \($0 + 1)/\(steps.count) " } }
        self.init(
            phase: (running ?? "") + overview.phase, done: phase.committed, total: phase.total, inputBytes: overview.totals.inputBytes,
            elapsed: overview.elapsedSeconds,
            remaining: overview.remainingSeconds)
    }
}
