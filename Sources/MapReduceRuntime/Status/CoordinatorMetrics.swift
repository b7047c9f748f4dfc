import Metrics

/// The coordinator's metrics, through swift-metrics (the command line bootstraps swift-prometheus, served at
/// `/metrics`). Names use base units and `_total` for counters; labels are bounded (`phase`, `state`, `kind`,
/// `route`, `status`): never a task, attempt or worker.
///
/// Counters move as events happen (``record(_:history:)``); gauges are set from the state after each change
/// (``update(_:workersAlive:)``).
struct CoordinatorMetrics: Sendable {
    /// Every metric's help text, by name: the README's table.
    static let help: [String: String] = [
        "mapreduce_tasks": "Tasks by phase (map, reduce) and state (pending, running, committed).",
        "mapreduce_attempts_started_total": "Task attempts assigned to workers, by phase.",
        "mapreduce_attempts_committed_total": "Task attempts that committed their task, by phase.",
        "mapreduce_attempts_failed_total": "Task attempts whose worker reported an error, by phase.",
        "mapreduce_attempts_lost_total": "Task attempts lost with their worker (lease expired, or given up), by phase.",
        "mapreduce_map_outputs_lost_total": "Committed map outputs found damaged or missing (their map task ran again).",
        "mapreduce_input_bytes_total": "Input bytes read by committed map attempts.",
        "mapreduce_input_records_total": "Input records read by committed map attempts.",
        "mapreduce_intermediate_bytes_total": "Intermediate bytes written by committed map attempts.",
        "mapreduce_intermediate_records_total": "Intermediate records written by committed map attempts.",
        "mapreduce_output_bytes_total": "Output bytes written by committed reduce attempts.",
        "mapreduce_output_records_total": "Output records written by committed reduce attempts.",
        "mapreduce_task_duration_seconds": "Duration of committed task attempts, by phase.",
        "mapreduce_workers_alive": "Workers whose lease is current, while the job runs (0 once it has ended).",
        "mapreduce_lease_expiries_total": "Attempt leases that expired (a worker died, hung or was cut off).",
        "mapreduce_job_finished": "1 once the job succeeded or failed, else 0.",
        "mapreduce_http_requests_total": "HTTP requests answered, by route and status.",
    ]

    /// Counts `event` (already folded into `history`).
    func record(_ event: JobEvent, history: JobHistory) {
        let phase = [("phase", event.phase ?? "")]
        switch event.kind {
        case .taskAssigned:
            Counter(label: "mapreduce_attempts_started_total", dimensions: phase).increment()
        case .taskCommitted:
            Counter(label: "mapreduce_attempts_committed_total", dimensions: phase).increment()
            if let key = event.task.map({ JobHistory.Key(phase: event.phase ?? "", number: $0) }), let seconds = history.tasks[key]?.seconds {
                Timer(label: "mapreduce_task_duration_seconds", dimensions: phase).recordNanoseconds(Int64(max(0, seconds) * 1e9))
            }
            if event.phase == "map" {
                Counter(label: "mapreduce_input_bytes_total").increment(by: event.inputBytes ?? 0)
                Counter(label: "mapreduce_input_records_total").increment(by: event.inputRecords ?? 0)
                Counter(label: "mapreduce_intermediate_bytes_total").increment(by: event.outputBytes ?? 0)
                Counter(label: "mapreduce_intermediate_records_total").increment(by: event.outputRecords ?? 0)
            } else {
                Counter(label: "mapreduce_output_bytes_total").increment(by: event.outputBytes ?? 0)
                Counter(label: "mapreduce_output_records_total").increment(by: event.outputRecords ?? 0)
            }
        case .attemptFailed:
            Counter(label: "mapreduce_attempts_failed_total", dimensions: phase).increment()
        case .attemptLost:
            Counter(label: "mapreduce_attempts_lost_total", dimensions: phase).increment()
        case .mapOutputLost:
            Counter(label: "mapreduce_map_outputs_lost_total").increment()
        case .jobStarted, .stepStarted, .phaseStarted, .phaseEnded, .workerJoined, .workerLost, .workerStopped, .workerExcluded, .jobSucceeded, .jobFailed:
            break
        }
    }

    /// Counts leases that expired.
    func leasesExpired(_ count: Int) {
        if count > 0 { Counter(label: "mapreduce_lease_expiries_total").increment(by: count) }
    }

    /// Sets the gauges: tasks by phase and state, live workers, and whether the job is over.
    func update(maps: TaskCounts, reduces: TaskCounts, workersAlive: Int, finished: Bool) {
        for (phase, counts) in [("map", maps), ("reduce", reduces)] {
            for (state, count) in [("pending", counts.pending), ("running", counts.running), ("committed", counts.committed)] {
                Gauge(label: "mapreduce_tasks", dimensions: [("phase", phase), ("state", state)]).record(count)
            }
        }
        Gauge(label: "mapreduce_workers_alive").record(workersAlive)
        Gauge(label: "mapreduce_job_finished").record(finished ? 1 : 0)
    }
}
