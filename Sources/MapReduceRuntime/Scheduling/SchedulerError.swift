/// A request the scheduler refuses; its state is unchanged. The HTTP layer maps each code to a 4xx status.
public struct SchedulerError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Why, stable across releases.
    public enum Code: String, Sendable, Codable {
        /// The worker never asked for a task, or was declared dead (its lease expired).
        case unknownWorker = "unknown-worker"
        /// No such attempt was ever handed out.
        case unknownAttempt = "unknown-attempt"
        /// The attempt belongs to another worker.
        case notYourAttempt = "not-your-attempt"
        /// The report does not fit the attempt's task: the wrong kind of result, a missing one, a number out of
        /// bounds, or a path the coordinator did not assign.
        case invalidReport = "invalid-report"
        /// The coordinator accepted as many worker registrations as it allows.
        case tooManyRegistrations = "too-many-registrations"
    }

    /// Why.
    public let code: Code
    /// A one-line explanation.
    public let message: String

    public var description: String { message }
}
