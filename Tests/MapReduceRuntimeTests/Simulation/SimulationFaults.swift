/// The faults a ``CoordinatorSimulation`` injects until its faults stop: each a probability per occasion.
struct SimulationFaults: Sendable {
    /// A request or its answer is lost (the worker times out and sends it again).
    var messageLoss = 0.0
    /// A request is delivered twice.
    var duplication = 0.0
    /// Every message takes 0 to this many milliseconds, so messages overtake one another.
    var maximumDelay = 50
    /// Per task run: the worker dies during it (a new one registers later).
    var workerCrash = 0.0
    /// Per crash: the coordinator never sees the worker's connection close (its host died, or was cut off).
    var unseenCrash = 0.0
    /// Per task run: the worker's control connection is cut while the worker lives on.
    var connectionDrop = 0.0
    /// Per task run: the worker hangs for one to three leases (no heartbeats), then reports anyway.
    var workerHang = 0.0
    /// Per task run: the task takes 5 to 20 times longer.
    var slowTask = 0.0
    /// Per task run: the worker stops cleanly after it (`leave`), and a new one registers later.
    var workerLeave = 0.0
    /// Per request handled: the coordinator dies after answering it, and restarts from its journal.
    var coordinatorCrash = 0.0
    /// Per journal append: the coordinator dies during it, leaving a torn last line (the entry never took effect).
    var tornAppend = 0.0
    /// Per tick: the coordinator stops (SIGSTOP, a suspended host) for one to three leases.
    var coordinatorPause = 0.0
    /// Per confirmation: the shared directory stalls for up to two leases.
    var stalledFilesystem = 0.0
    /// Per map commit: its output file is later damaged or removed.
    var outputDamage = 0.0
    /// Per finishing work (writing a step's metadata, planning the next step): it fails and is tried again.
    var finishingFailure = 0.0
    /// Whether one of the workers sees a different shared directory than the coordinator's.
    var wrongSharedDirectory = false

    /// No faults: the job must simply run.
    static let none = SimulationFaults()

    /// Every fault at once, often.
    static let all = SimulationFaults(
        messageLoss: 0.05, duplication: 0.05, maximumDelay: 400, workerCrash: 0.05, unseenCrash: 0.3, connectionDrop: 0.03,
        workerHang: 0.03, slowTask: 0.05, workerLeave: 0.02, coordinatorCrash: 0.01, tornAppend: 0.03, coordinatorPause: 0.005,
        stalledFilesystem: 0.05, outputDamage: 0.05, finishingFailure: 0.1, wrongSharedDirectory: true)
}
