/// A map task and its committed attempt: one of the map outputs a reduce task reads.
public struct CommittedMap: Hashable, Sendable {
    /// The map task.
    public var task: MapTaskID
    /// Its committed attempt, whose output file the reduce reads.
    public var attempt: AttemptID

    /// Names `attempt` of `task`.
    public init(_ task: MapTaskID, _ attempt: AttemptID) {
        self.task = task
        self.attempt = attempt
    }
}
