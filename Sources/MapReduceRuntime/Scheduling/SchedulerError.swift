public import MapReduce

/// A request the scheduler refuses; its state is unchanged. The HTTP layer answers it with its code's status
/// (``MapReduce/ErrorCode/httpStatus``).
///
/// Its codes: ``MapReduce/ErrorCode/unknownWorker``, ``MapReduce/ErrorCode/unknownAttempt``,
/// ``MapReduce/ErrorCode/notYourAttempt``, ``MapReduce/ErrorCode/invalidReport`` and
/// ``MapReduce/ErrorCode/tooManyRegistrations``.
public struct SchedulerError: MapReduceError, Sendable, Equatable {
    /// Why.
    public let code: ErrorCode
    /// A one-line explanation.
    public let message: String

    /// Creates a refusal.
    public init(code: ErrorCode, message: String) {
        self.code = code
        self.message = message
    }

    /// None: a refusal is about the request itself.
    public var cause: (any Error)? { nil }
}
