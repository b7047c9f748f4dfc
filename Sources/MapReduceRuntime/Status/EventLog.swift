import Foundation
public import MapReduce

/// A job's history on disk: `<output>/_events.jsonl`, one ``JobEvent`` per line, appended by the coordinator as
/// things happen (a restarted coordinator appends to the same file), and read back by `report`.
///
/// Appends are one `write(2)` each to a file opened with `O_APPEND`; the history is for people, so a failed append
/// is logged by the caller and the job goes on, and what a failed append wrote (a full disk takes part of a line)
/// is cut back off. Reading skips, and counts, any line that is not a plausible event: a torn line (a coordinator
/// killed mid-append, or a cut-back that failed too) or a damaged one never hides the rest of the history, and
/// never reaches the page as an impossible figure.
public final class EventLog: @unchecked Sendable {
    /// The file's name in the output directory.
    public static let fileName = "_events.jsonl"

    /// The file.
    public let path: String
    // Used only from the coordinator's actor.
    private let descriptor: Int32
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Opens (creating) the history of the job writing to `output`.
    public init(output: OutputDirectory) throws(FileIOError) {
        path = "\(output.path)/\(Self.fileName)"
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FileIOError(path: path, operation: "open for appending", systemError: errno) }
    }

    deinit { close(descriptor) }

    /// Appends `event` as one line, or nothing: a failed append is cut back off.
    public func append(_ event: JobEvent) throws {
        var line = Array(try encoder.encode(event))
        line.append(0x0A)
        let end = lseek(descriptor, 0, SEEK_END)
        let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == line.count else {
            // A short write is a full disk or quota: say so rather than a generic I/O error.
            let error = written < 0 ? errno : ENOSPC
            if written > 0, end >= 0 { _ = ftruncate(descriptor, end) }
            throw FileIOError(path: path, operation: "append to", systemError: error)
        }
    }

    /// A history as read: its plausible events, in order, and the lines that were skipped.
    public struct Contents: Sendable {
        /// The events.
        public var events: [JobEvent]
        /// The numbers (from 1) of the lines skipped as torn or damaged.
        public var skippedLines: [Int]

        /// `N lines of 'PATH' were skipped as torn or damaged (lines 3, 9)`, or `nil` if none were.
        public func skippedDescription(of path: String) -> String? {
            guard !skippedLines.isEmpty else { return nil }
            let shown = skippedLines.prefix(10).map(String.init).joined(separator: ", ")
            return "\(skippedLines.count) line\(skippedLines.count == 1 ? "" : "s") of '\(path)' skipped as torn or damaged "
                + "(line\(skippedLines.count == 1 ? "" : "s") \(shown)\(skippedLines.count > 10 ? ", …" : ""))"
        }
    }

    /// The history of the job that wrote `output`.
    /// - Throws: ``MapReduce/InputError`` `notFound` if there is none, or `malformedRecord` if it holds lines but
    ///   not one event (it is not a job history).
    public static func read(output: OutputDirectory) throws -> Contents {
        let path = "\(output.path)/\(fileName)"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(
                .notFound, path: path, "no job history '\(path)': is '\(output.path)' the output directory of a job run by a coordinator?")
        }
        let lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
        var contents = Contents(events: [], skippedLines: [])
        let decoder = JSONDecoder()
        for (index, line) in lines.enumerated() where !line.isEmpty {
            if let event = try? decoder.decode(JobEvent.self, from: line), event.isPlausible {
                contents.events.append(event)
            } else if index < lines.count - 1 {  // a torn last line, with no line ending, is no damage
                contents.skippedLines.append(index + 1)
            }
        }
        if contents.events.isEmpty, let first = contents.skippedLines.first {
            throw InputError(.malformedRecord, path: path, "job history '\(path)' holds no job event (line \(first) is not one); is it a job's history?")
        }
        return contents
    }
}
