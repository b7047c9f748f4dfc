import Foundation
public import MapReduce

/// A finished job's output directory, read back for assertions.
public struct JobOutput: Sendable {
    /// The output files (`part-*`) in name order, with their bytes.
    public let parts: [(name: String, bytes: [UInt8])]
    /// Whether `_SUCCESS` is present.
    public let succeeded: Bool

    /// Reads the output directory at `path`.
    public init(directory path: String) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: path)
        parts = try names.filter { $0.hasPrefix("part-") }.sorted().map { name in
            (name, Array(try Data(contentsOf: URL(fileURLWithPath: "\(path)/\(name)"))))
        }
        succeeded = names.contains("_SUCCESS")
    }

    /// Every output line, in file order.
    public var lines: [String] {
        parts.flatMap { part in String(decoding: part.bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        }
    }

    /// The output as a dictionary from key to the text after it; keys must be unique and contain no space.
    public var dictionary: [String: String] {
        var result: [String: String] = [:]
        for line in lines {
            let space = line.firstIndex(of: " ") ?? line.endIndex
            let key = String(line[..<space])
            precondition(result[key] == nil, "key '\(key)' appears twice in the output")
            result[key] = space == line.endIndex ? "" : String(line[line.index(after: space)...])
        }
        return result
    }

    /// The records of a CSV output (`.csv(header: true)`): its header once, and every part's rows in file order.
    /// Each non-empty part starts with the header; a part whose header differs, or a malformed record, throws.
    public func csv() throws -> (header: [String], rows: [[String]]) {
        var header: [String]?
        var rows: [[String]] = []
        for part in parts where !part.bytes.isEmpty {
            let records = ReferenceCSV.records(String(decoding: part.bytes, as: UTF8.self))
            if let bad = records.first(where: { !$0.isWellFormed }) {
                throw JobError(.badConfiguration, "\(part.name) holds a malformed CSV record: \(bad.fields)")
            }
            guard let first = records.first else { continue }
            if let header, header != first.fields {
                throw JobError(.badConfiguration, "\(part.name) starts with the header \(first.fields), not \(header)")
            }
            header = first.fields
            rows += records.dropFirst().map(\.fields)
        }
        return (header ?? [], rows)
    }

    /// The values of a JSON Lines output (`.jsonLines`), every part's in file order, decoded as `T`.
    public func jsonLines<T: Decodable>(as type: T.Type) throws -> [T] {
        let decoder = JSONDecoder()
        return try lines.filter { !$0.isEmpty }.map { try decoder.decode(T.self, from: Data($0.utf8)) }
    }

    /// The output the ``SequentialRunner`` writes for `job` over `inputs` with `configuration`: what every
    /// distributed run of a deterministic job must write, byte for byte.
    public static func oracle(_ job: AnyJob, parameters: [String: String] = [:], inputs: [String], configuration: JobConfiguration) throws -> JobOutput {
        let directory = try TemporaryDirectory(prefix: "oracle")
        try SequentialRunner(configuration: configuration).run(job, parameters: parameters, inputs: inputs, output: directory.appending("output"))
        return try JobOutput(directory: directory.appending("output"))
    }

    /// A description of the first difference from `other`, or `nil` if both hold the same files with the same
    /// bytes (the oracle check for distributed runs).
    public func firstDifference(from other: JobOutput) -> String? {
        guard succeeded == other.succeeded else { return "_SUCCESS is \(succeeded ? "present" : "missing") here but not there" }
        guard parts.map(\.name) == other.parts.map(\.name) else {
            return "output files differ: \(parts.map(\.name)) vs \(other.parts.map(\.name))"
        }
        for (mine, theirs) in zip(parts, other.parts) where mine.bytes != theirs.bytes {
            let index = zip(mine.bytes, theirs.bytes).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(mine.bytes.count, theirs.bytes.count)
            return "\(mine.name) differs from byte \(index) (\(mine.bytes.count) vs \(theirs.bytes.count) bytes)"
        }
        return nil
    }
}
