import Foundation
public import MapReduce

/// A job's history on disk: `<output>/_events.jsonl`, one ``JobEvent`` per line, appended by the coordinator as
/// things happen (a restarted coordinator appends to the same file), and read back by `report`.
///
/// Appends are one `write(2)` each to a file opened with `O_APPEND`; the history is for people, so a failed append
/// is logged by the caller and the job goes on. A torn last line (a coordinator killed mid-append) is ignored on
/// reading.
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

    /// Appends `event` as one line.
    public func append(_ event: JobEvent) throws {
        var line = Array(try encoder.encode(event))
        line.append(0x0A)
        let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == line.count else { throw FileIOError(path: path, operation: "append to", systemError: written < 0 ? errno : EIO) }
    }

    /// The events in `output`'s history.
    /// - Throws: ``MapReduce/InputError`` `notFound` if there is none, or `malformedRecord` naming the first line (but a torn last
    ///   one) that is not an event.
    public static func read(output: OutputDirectory) throws -> [JobEvent] {
        let path = "\(output.path)/\(fileName)"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(
                .notFound, path: path, "no job history '\(path)': is '\(output.path)' the output directory of a job run by a coordinator?")
        }
        let lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
        var events: [JobEvent] = []
        let decoder = JSONDecoder()
        for (index, line) in lines.enumerated() where !line.isEmpty {
            do {
                events.append(try decoder.decode(JobEvent.self, from: line))
            } catch {
                if index == lines.count - 1 { break }  // a torn last line, with no line ending
                throw InputError(.malformedRecord, path: path, "job history '\(path)' line \(index + 1) is not a job event (\(error))", cause: error)
            }
        }
        return events
    }
}
