import Foundation
package import MapReduce
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One durable fact about a job's progress.
package struct JournalEntry: Codable, Sendable, Equatable {
    /// What happened.
    package enum Event: String, Codable, Sendable {
        /// A coordinator (re)started; its attempt numbers start at `step << 44 | epoch << 32 + 1`. Carries the journal's format
        /// `version` and the `plan` hash it was started with.
        case started
        /// A map attempt committed its task, with its output files.
        case mapCommitted = "map-committed"
        /// A committed map task's output was found damaged; the task runs again.
        case mapLost = "map-lost"
        /// A reduce attempt committed its task, its output renamed into place.
        case reduceCommitted = "reduce-committed"
    }

    package var event: Event
    package var task: Int?
    package var attempt: AttemptID?
    package var epoch: Int?
    /// With `started`: the journal format version (``Journal/formatVersion``).
    package var version: Int?
    /// With `started`: the hash of the job's plan (``JobPlan/hash``) the coordinator ran.
    package var plan: String?
    package var map: MapTaskOutput?
    package var reduce: ReduceTaskOutput?

    package init(
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
/// Commits made while an fsync is under way share the next one (a group commit, ``commit(_:)``): many workers
/// completing at once cost one write and one fsync per batch, not one each, and none is acted on before it is on
/// disk.
///
/// Opening a journal cuts a torn last line (a crash in the middle of an append: that event never took effect) so
/// the next append starts on a line of its own. An append that fails is undone (the file is cut back to where it
/// was); if even that fails, the journal refuses every later append rather than leave a damaged line behind.
package final class Journal: @unchecked Sendable {
    /// The format this build writes and reads. Earlier versions are refused with a message saying to start the job
    /// over: version 1 had no `version` and `plan` in `started` entries, version 2 committed a map with one file per
    /// partition (intermediate format 1) where version 3 commits its one output file.
    package static let formatVersion = 3

    /// The journal file.
    package let path: String
    /// The entries found when the journal was opened, each with its 1-based line number.
    package let entries: [(line: Int, entry: JournalEntry)]
    private let descriptor: Int32
    /// Serializes writes: ``append(_:)`` and a group commit's batch never interleave.
    private let writing = NSLock()
    private var length: off_t
    private var broken: String?
    /// Lines waiting for the next group commit, each with its waiting caller; `flushing` while a thread writes.
    private let queue = Mutex<(lines: [(line: Data, waiter: CheckedContinuation<Void, any Error>)], flushing: Bool)>(([], false))

    /// Opens (creating if needed) the journal at `path`, reads its entries, and cuts a torn last line.
    /// - Throws: ``JournalError`` if it cannot be read or written, or a line before the last is not an entry.
    package init(path: String) throws {
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
    package func append(_ entry: JournalEntry) throws {
        let line = try Self.line(entry)
        try writing.withLock { try write(line) }
    }

    /// Appends `entry` and returns once it is on disk, sharing one write and one fsync with every entry committed
    /// meanwhile. Entries reach the file in the order they were committed. A batch that cannot be written is
    /// undone whole (nothing of it stays in the file) and each of its callers gets the error.
    package func commit(_ entry: JournalEntry) async throws {
        let line = try Self.line(entry)
        try await withCheckedThrowingContinuation { (waiter: CheckedContinuation<Void, any Error>) in
            let startFlushing = queue.withLock { queue in
                queue.lines.append((line, waiter))
                defer { queue.flushing = true }
                return !queue.flushing
            }
            // A thread of its own: an fsync on a slow network filesystem must not hold a thread of the caller's.
            if startFlushing { Thread { self.flush() }.start() }
        }
    }

    /// Writes the waiting lines in batches, one write and one fsync each, until none waits.
    private func flush() {
        while true {
            let batch = queue.withLock { queue in
                defer { queue.lines = [] }
                if queue.lines.isEmpty { queue.flushing = false }
                return queue.lines
            }
            guard !batch.isEmpty else { return }
            let written = Result { try writing.withLock { try write(batch.reduce(into: Data()) { $0.append($1.line) }) } }
            for waiting in batch { waiting.waiter.resume(with: written) }
        }
    }

    private static func line(_ entry: JournalEntry) throws -> Data {
        var line = try JSONEncoder().encode(entry)
        line.append(0x0A)
        return line
    }

    /// Writes `lines` at the end and fsyncs; on failure cuts the file back. Called holding `writing`.
    private func write(_ lines: Data) throws {
        if let broken { throw JournalError(path: path, reason: "an earlier append failed and could not be undone (\(broken))") }
        do {
            try lines.withUnsafeBytes { bytes in
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
        length += off_t(lines.count)
    }
}

/// The journal cannot be written or read.
package struct JournalError: MapReduceError, Sendable {
    /// The journal file.
    package let path: String
    /// What went wrong.
    package let reason: String
    /// The error that led to this one, if any.
    package let cause: (any Error)?

    /// Creates an error about the journal at `path`.
    package init(path: String, reason: String, cause: (any Error)? = nil) {
        self.path = path
        self.reason = reason
        self.cause = cause
    }

    /// Always ``MapReduce/ErrorCode/journal``.
    package var code: ErrorCode { .journal }
    /// `journal '<path>': <reason>`.
    package var message: String { "journal '\(path)': \(reason)" }
}
