import Foundation
public import MapReduce

#if canImport(Glibc)
import Glibc
#endif

/// One durable fact about a job's progress.
public struct JournalEntry: Codable, Sendable, Equatable {
    /// What happened.
    public enum Event: String, Codable, Sendable {
        /// A coordinator (re)started; its attempt numbers start at `epoch << 40`.
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
    public var map: MapTaskOutput?
    public var reduce: ReduceTaskOutput?

    public init(event: Event, task: Int? = nil, attempt: AttemptID? = nil, epoch: Int? = nil, map: MapTaskOutput? = nil, reduce: ReduceTaskOutput? = nil) {
        self.event = event
        self.task = task
        self.attempt = attempt
        self.epoch = epoch
        self.map = map
        self.reduce = reduce
    }
}

/// The coordinator's record of progress: `<job directory>/journal`, one JSON entry per line, each appended and
/// fsynced before the coordinator acts on it, so a coordinator killed at any instant restarts where it was.
public final class Journal: @unchecked Sendable {
    /// The journal file.
    public let path: String
    private let descriptor: Int32

    /// Opens (creating if needed) the journal at `path` for appending.
    public init(path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw JournalError(path: path, reason: String(cString: strerror(errno))) }
    }

    deinit { close(descriptor) }

    /// Appends `entry` and waits until it is on disk.
    public func append(_ entry: JournalEntry) throws {
        var line = try JSONEncoder().encode(entry)
        line.append(0x0A)
        try line.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0, errno == EINTR { continue }
                guard written > 0 else { throw JournalError(path: path, reason: String(cString: strerror(errno))) }
                offset += written
            }
        }
        guard fsync(descriptor) == 0 else { throw JournalError(path: path, reason: String(cString: strerror(errno))) }
    }

    /// The entries in the journal at `path` (none if it does not exist). A torn last line, left by a crash in the
    /// middle of an append, is ignored: its event never took effect.
    public static func read(path: String) throws -> [JournalEntry] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let lines = data.split(separator: 0x0A, omittingEmptySubsequences: true)
        var entries: [JournalEntry] = []
        for (index, line) in lines.enumerated() {
            do {
                entries.append(try JSONDecoder().decode(JournalEntry.self, from: Data(line)))
            } catch  where index == lines.count - 1 && data.last != 0x0A {
                break
            } catch {
                throw JournalError(path: path, reason: "line \(index + 1) is not a journal entry (\(error)); the shared directory is damaged")
            }
        }
        return entries
    }
}

/// The journal cannot be written or read.
public struct JournalError: Error, CustomStringConvertible {
    /// The journal file.
    public let path: String
    /// What went wrong.
    public let reason: String
    public var description: String { "journal '\(path)': \(reason)" }
}
