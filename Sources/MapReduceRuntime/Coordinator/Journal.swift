import Foundation
public import MapReduce

#if canImport(Glibc)
import Glibc
#endif

/// One durable fact about a job's progress.
public struct JournalEntry: Codable, Sendable, Equatable {
    /// What happened.
    public enum Event: String, Codable, Sendable {
        /// A coordinator (re)started; its attempt numbers start at `epoch << 40`. Carries the journal's format
        /// `version` and the `plan` hash it was started with.
        case started
        /// A map attempt committed its task, with its output files.
        case mapCommitted = "map-committed"
        /// A committed map task's output was found damaged; the task runs again.
        case mapLost = "map-lost"
        /// A reduce attempt committed its task, its output renamed into place.
        case reduceCommitted = "reduce-committed"
    }

    public var event: Event
    public var task: Int?
    public var attempt: AttemptID?
    public var epoch: Int?
    /// With `started`: the journal format version (``Journal/formatVersion``).
    public var version: Int?
    /// With `started`: the hash of the job's plan (``JobPlan/hash``) the coordinator ran.
    public var plan: String?
    public var map: MapTaskOutput?
    public var reduce: ReduceTaskOutput?

    public init(
        event: Event, task: Int? = nil, attempt: AttemptID? = nil, epoch: Int? = nil, version: Int? = nil, plan: String? = nil,
        map: MapTaskOutput? = nil, reduce: ReduceTaskOutput? = nil
    ) {
        self.event = event
        self.task = task
        self.attempt = attempt
        self.epoch = epoch
        self.version = version
        self.plan = plan
        self.map = map
        self.reduce = reduce
    }
}

/// The coordinator's record of progress: `<job directory>/journal`, one JSON entry per line, each appended and
/// fsynced before the coordinator acts on it, so a coordinator killed at any instant restarts where it was.
///
/// Opening a journal cuts a torn last line (a crash in the middle of an append: that event never took effect) so
/// the next append starts on a line of its own. An append that fails is undone (the file is cut back to where it
/// was); if even that fails, the journal refuses every later append rather than leave a damaged line behind.
public final class Journal: @unchecked Sendable {
    /// The format this build writes and reads. Earlier versions are refused with a message saying to start the job
    /// over: version 1 had no `version` and `plan` in `started` entries, version 2 committed a map with one file per
    /// partition (intermediate format 1) where version 3 commits its one output file.
    public static let formatVersion = 3

    /// The journal file.
    public let path: String
    /// The entries found when the journal was opened, each with its 1-based line number.
    public let entries: [(line: Int, entry: JournalEntry)]
    private let descriptor: Int32
    private var length: off_t
    private var broken: String?

    /// Opens (creating if needed) the journal at `path`, reads its entries, and cuts a torn last line.
    /// - Throws: ``JournalError`` if it cannot be read or written, or a line before the last is not an entry.
    public init(path: String) throws {
        self.path = path
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw JournalError(path: path, reason: String(cString: strerror(errno))) }
        let data: Data
        do {
            data = try FileHandle(fileDescriptor: descriptor, closeOnDealloc: false).readToEnd() ?? Data()
        } catch {
            close(descriptor)
            throw JournalError(path: path, reason: "cannot be read: \(error)")
        }
        var entries: [(line: Int, entry: JournalEntry)] = []
        var start = data.startIndex
        var line = 0
        while let newline = data[start...].firstIndex(of: 0x0A) {
            line += 1
            do {
                entries.append((line, try JSONDecoder().decode(JournalEntry.self, from: data[start..<newline])))
            } catch {
                close(descriptor)
                throw JournalError(path: path, reason: "line \(line) is not a journal entry (\(error)); the shared directory is damaged")
            }
            start = newline + 1
        }
        self.entries = entries
        length = off_t(start - data.startIndex)
        if length < data.count {
            // A torn last line: its append never completed, so its event never took effect.
            guard ftruncate(descriptor, length) == 0, fsync(descriptor) == 0 else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                throw JournalError(path: path, reason: "cannot cut its torn last line: \(reason)")
            }
        }
        guard lseek(descriptor, length, SEEK_SET) == length else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw JournalError(path: path, reason: "cannot seek: \(reason)")
        }
    }

    deinit { close(descriptor) }

    /// Appends `entry` and waits until it is on disk. On failure nothing of it stays in the file.
    public func append(_ entry: JournalEntry) throws {
        if let broken { throw JournalError(path: path, reason: "an earlier append failed and could not be undone (\(broken))") }
        var line = try JSONEncoder().encode(entry)
        line.append(0x0A)
        do {
            try line.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = pwrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset, length + off_t(offset))
                    if written < 0, errno == EINTR { continue }
                    guard written > 0 else { throw JournalError(path: path, reason: "cannot append: \(String(cString: strerror(errno)))") }
                    offset += written
                }
            }
            guard fsync(descriptor) == 0 else { throw JournalError(path: path, reason: "cannot fsync: \(String(cString: strerror(errno)))") }
        } catch {
            // Undo: a partial line must not be joined by the next append.
            if ftruncate(descriptor, length) != 0 || fsync(descriptor) != 0 { broken = "\(error)" }
            throw error
        }
        length += off_t(line.count)
    }
}

/// The journal cannot be written or read.
public struct JournalError: MapReduceError, Sendable {
    /// The journal file.
    public let path: String
    /// What went wrong.
    public let reason: String
    /// The error that led to this one, if any.
    public let cause: (any Error)?

    /// Creates an error about the journal at `path`.
    public init(path: String, reason: String, cause: (any Error)? = nil) {
        self.path = path
        self.reason = reason
        self.cause = cause
    }

    /// Always ``MapReduce/ErrorCode/journal``.
    public var code: ErrorCode { .journal }
    /// `journal '<path>': <reason>`.
    public var message: String { "journal '\(path)': \(reason)" }
}
