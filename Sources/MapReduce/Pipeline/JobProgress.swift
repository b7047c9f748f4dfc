/// How far a ``SequentialRunner`` run got, reported after each task.
public struct JobProgress: Sendable, Equatable {
    /// `map` or `reduce`.
    public var phase: String
    /// Tasks of the phase done.
    public var done: Int
    /// Tasks in the phase.
    public var total: Int
    /// Input bytes read so far.
    public var inputBytes: Int64
    /// Seconds since the run started.
    public var seconds: Double
    /// An estimate of the seconds left, from the share of all tasks done so far.
    public var remainingSeconds: Double?
}
