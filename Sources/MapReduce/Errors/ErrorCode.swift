/// What went wrong, in every domain of the framework: one value per failure mode, with a stable name and the kind
/// of failure it is.
///
/// Codes are values, not enum cases: compare them with `==`, or match them in a `switch` that has a `default`, so
/// that a new code never breaks your code. What a code means for an HTTP answer or a process's exit status is
/// decided by its ``kind``, in one place each (the runtime's HTTP layer and the command line).
public struct ErrorCode: Hashable, Sendable, CustomStringConvertible {
    /// Its stable name, in `kebab-case`, as logs show it.
    public let name: String
    /// What kind of failure it is.
    public let kind: Kind

    /// What kind of failure a code is: who can fix it, and how.
    public enum Kind: Sendable, Hashable {
        /// The caller asked for something invalid (a flag, an input, a request): fix it and ask again.
        case invalid
        /// The caller named something that does not exist.
        case notFound
        /// The request conflicts with the state: something is already there, held, or another's.
        case conflict
        /// The caller did not prove who it is.
        case unauthenticated
        /// The caller asked for more than the limit allows.
        case limitExceeded
        /// Work failed: the job's code, the data, or the system. Nothing the caller sent was wrong.
        case failure
    }

    private init(_ name: String, _ kind: Kind) {
        self.name = name
        self.kind = kind
    }

    public var description: String { name }

    public static func == (a: Self, b: Self) -> Bool { a.name == b.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    // MARK: Jobs and their configuration (JobError)

    /// No job of that name in the catalog.
    public static let unknownJob = ErrorCode("unknown-job", .invalid)
    /// A partitioner returned a partition out of range.
    public static let badPartition = ErrorCode("bad-partition", .failure)
    /// A map function threw.
    public static let mapFailed = ErrorCode("map-failed", .failure)
    /// A reduce function threw.
    public static let reduceFailed = ErrorCode("reduce-failed", .failure)
    /// A configuration value, flag or job parameter is invalid.
    public static let badConfiguration = ErrorCode("bad-configuration", .invalid)
    /// The output directory already holds a job's output.
    public static let outputExists = ErrorCode("output-exists", .conflict)
    /// The output directory cannot be created or written.
    public static let outputUnwritable = ErrorCode("output-unwritable", .invalid)
    /// More records were skipped than the job allows.
    public static let tooManyBadRecords = ErrorCode("too-many-bad-records", .failure)
    /// Another coordinator is running the job, or writing its output.
    public static let alreadyRunning = ErrorCode("already-running", .conflict)
    /// The attempt was told to stop (``TaskCancellation``).
    public static let cancelled = ErrorCode("cancelled", .failure)
    /// A total overflowed a 64-bit integer.
    public static let overflow = ErrorCode("overflow", .failure)

    // MARK: Inputs (InputError, RecordFormatError)

    /// No input files were given, or the directories given hold none.
    public static let noInputs = ErrorCode("no-inputs", .invalid)
    /// An input does not exist.
    public static let notFound = ErrorCode("not-found", .notFound)
    /// An input cannot be read.
    public static let unreadable = ErrorCode("unreadable", .invalid)
    /// An input is not a regular file (a FIFO, a device, a socket).
    public static let notAFile = ErrorCode("not-a-file", .invalid)
    /// A compressed input is damaged.
    public static let corruptCompressedFile = ErrorCode("corrupt-compressed-file", .failure)
    /// A record does not parse as its format, or lacks a field the job asked for.
    public static let malformedRecord = ErrorCode("malformed-record", .failure)
    /// An input differs from what it was when the job was planned.
    public static let changed = ErrorCode("changed", .failure)
    /// A record is longer than the job's maximum record size.
    public static let recordTooLong = ErrorCode("record-too-long", .failure)

    // MARK: Intermediate files (IntermediateFileError) and file I/O (FileIOError)

    /// An intermediate file is missing.
    public static let missing = ErrorCode("missing", .failure)
    /// An intermediate file ends early.
    public static let truncated = ErrorCode("truncated", .failure)
    /// An intermediate file's checksum or structure is wrong.
    public static let corrupt = ErrorCode("corrupt", .failure)
    /// A file is not an intermediate file.
    public static let wrongFormat = ErrorCode("wrong-format", .failure)
    /// An intermediate file was written by another format version.
    public static let wrongVersion = ErrorCode("wrong-version", .failure)
    /// A system call on a file failed.
    public static let io = ErrorCode("io", .failure)

    // MARK: The coordinator and its workers (SchedulerError, JournalError, the worker's errors)

    /// The worker never registered, or was declared dead.
    public static let unknownWorker = ErrorCode("unknown-worker", .notFound)
    /// No such attempt was ever handed out.
    public static let unknownAttempt = ErrorCode("unknown-attempt", .notFound)
    /// The attempt belongs to another worker.
    public static let notYourAttempt = ErrorCode("not-your-attempt", .conflict)
    /// A report does not fit its attempt: the wrong kind of result, a number out of bounds, an unassigned path.
    public static let invalidReport = ErrorCode("invalid-report", .invalid)
    /// The coordinator accepted as many worker registrations as it allows.
    public static let tooManyRegistrations = ErrorCode("too-many-registrations", .limitExceeded)
    /// The coordinator's journal cannot be read, replayed or appended to.
    public static let journal = ErrorCode("journal", .failure)
    /// The shared secret cannot be loaded, or was refused.
    public static let badSecret = ErrorCode("bad-secret", .unauthenticated)
    /// The coordinator stayed unreachable for a worker's whole grace period.
    public static let unreachable = ErrorCode("unreachable", .failure)
    /// The coordinator refused a worker's request.
    public static let refused = ErrorCode("refused", .failure)
    /// An assignment names a path outside the worker's shared directory.
    public static let outsideSharedDirectory = ErrorCode("outside-shared-directory", .invalid)
}
