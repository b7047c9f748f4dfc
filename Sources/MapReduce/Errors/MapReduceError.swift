/// The shape of every error the framework throws: a ``code`` to act on, a one-line ``message`` for a person that
/// says what to do, and the underlying ``cause`` when another error led to it.
///
/// Each domain has its own type (``JobError``, ``InputError``, ``IntermediateFileError``, ``FileIOError``, and the
/// runtime's scheduler, journal and worker errors), all of this shape, so one `catch let error as any
/// MapReduceError` handles them all.
public protocol MapReduceError: Error, CustomStringConvertible {
    /// What went wrong, stable across releases.
    var code: ErrorCode { get }
    /// One line naming what failed and saying what to do.
    var message: String { get }
    /// The error that led to this one, if any.
    var cause: (any Error)? { get }
}

extension MapReduceError {
    public var description: String { message }

    /// The message followed by its chain of causes, for logs.
    public var detailedDescription: String {
        var text = "\(message) [\(code)]"
        var next = cause
        while let error = next {
            text += "\n  caused by: \(error)"
            next = (error as? any MapReduceError)?.cause
        }
        return text
    }
}
