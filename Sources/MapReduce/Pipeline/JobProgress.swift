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

    /// The seconds left if the remaining tasks take as long, on average, as the `done` of `total` took in
    /// `elapsed` seconds; `nil` before any is done and once all are.
    public static func remainingSeconds(elapsed: Double, done: Int, total: Int) -> Double? {
        done > 0 && done < total ? elapsed * Double(total - done) / Double(done) : nil
    }
}
