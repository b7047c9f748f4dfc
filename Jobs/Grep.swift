public import MapReduce

/// A line of the input that matched: where it is and what it says.
public struct GrepMatch: Codable, Hashable, Sendable {
    /// The input file, as named to the job.
    public var file: String
    /// The 1-based line number.
    public var line: Int64
    /// The line, without its line ending (invalid UTF-8 shows as U+FFFD).
    public var text: String

    /// Creates a match.
    public init(file: String, line: Int64, text: String) {
        self.file = file
        self.line = line
        self.text = text
    }
}

/// Where a match is: the shuffle's key, so each partition is in file and line order.
public struct GrepLocation: Codable, RecordCodable, Hashable, Sendable {
    /// The input file.
    public var file: String
    /// The 1-based line number.
    public var line: Int64
}

/// The paper's distributed grep: every line matching `pattern` (a Swift `Regex`, which accepts the usual
/// regular-expression syntax), with its file and line number, as JSON Lines.
/// - Throws: ``JobError`` if `pattern` is not a valid regular expression.
public func grep(pattern: String) throws -> Job<GrepLocation, String> {
    // `Regex<AnyRegexOutput>` is not declared Sendable; matching only reads it, and a process runs one map call at
    // a time, so sharing it with the map function is safe.
    nonisolated(unsafe) let regex: Regex<AnyRegexOutput>
    do { regex = try Regex(pattern) } catch {
        throw JobError(.badConfiguration, "job 'grep': pattern '\(pattern)' is not a valid regular expression: \(error)")
    }
    return Job("grep", output: .jsonLines) { line, emit in
        let text = line.string
        if text.contains(regex) { emit(GrepLocation(file: line.file.path, line: try line.number), text) }
    } reduce: { location, texts, output in
        for text in texts { try output.write(GrepMatch(file: location.file, line: location.line, text: text)) }
    }
}

/// `grep` in the catalog: `--param pattern=REGEX`.
public let grepDefinition = JobDefinition("grep", parameters: ["pattern": "the regular expression a line must match"]) { parameters in
    AnyJob(try grep(pattern: try parameters.require("pattern")))
}
