public import MapReduce

/// What one log line says: `2026-03-01 09:00:29 WARN  [billing] retrying after timeout (attempt 2)`.
public struct LogEvent: Codable, RecordCodable, Hashable, Sendable {
    /// `INFO`, `WARN`, `ERROR`, …
    public var level: String
    /// The message with its numbers replaced by `#`, so that `attempt 2` and `attempt 3` are one message.
    public var message: String

    /// Creates an event.
    public init(level: String, message: String) {
        self.level = level
        self.message = message
    }

    /// Parses a line: a date, a time, a level, a `[service]` and a message; `nil` for anything else.
    public static func parse(_ line: String) -> (service: String, event: LogEvent)? {
        let fields = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: true)
        guard fields.count == 4, let open = fields[3].firstIndex(of: "["), let close = fields[3].firstIndex(of: "]"), open < close else { return nil }
        let service = fields[3][fields[3].index(after: open)..<close]
        let message = fields[3][fields[3].index(after: close)...].drop { $0 == " " }
        guard !service.isEmpty, !message.isEmpty else { return nil }
        let normalized = String(message.map { $0.isNumber ? "#" : $0 }).replacing(/#+/, with: "#")
        return (String(service), LogEvent(level: String(fields[2]), message: normalized))
    }
}

/// One output line of ``logDigest(top:)``: a service's line counts by level and its most frequent problems.
public struct ServiceDigest: Codable, Hashable, Sendable {
    /// A message and how many times it was logged.
    public struct Problem: Codable, Hashable, Sendable {
        /// The level it was logged at.
        public var level: String
        /// The message, numbers replaced by `#`.
        public var message: String
        /// How many lines logged it.
        public var count: Int
    }

    /// The service, from `[service]`.
    public var service: String
    /// Its lines.
    public var lines: Int
    /// Its lines by level.
    public var levels: [String: Int]
    /// Its most frequent `WARN` and `ERROR` messages, most frequent first (ties in message order).
    public var top: [Problem]
}

/// The daily log digest a team reads over coffee: for each service, how many lines it logged at each level and
/// its `top` most frequent warnings and errors, as JSON Lines in service order. Lines that are not log lines are
/// counted under `unparsed lines` and skipped.
public func logDigest(top: Int) -> Job<String, LogEvent> {
    Job<String, LogEvent>("log-digest", output: .jsonLines) { line, emit in
        guard let (service, event) = LogEvent.parse(line.string) else { return Counters.increment("unparsed lines") }
        emit(service, event)
    } reduce: { service, events, output in
        var levels: [String: Int] = [:]
        var problems: [LogEvent: Int] = [:]
        var lines = 0
        for event in events {
            lines += 1
            levels[event.level, default: 0] += 1
            if event.level == "WARN" || event.level == "ERROR" { problems[event, default: 0] += 1 }
        }
        let ranked = problems.sorted { ($1.value, $0.key.message, $0.key.level) < ($0.value, $1.key.message, $1.key.level) }
        try output.write(
            ServiceDigest(
                service: service, lines: lines, levels: levels,
                top: ranked.prefix(top).map { ServiceDigest.Problem(level: $0.key.level, message: $0.key.message, count: $0.value) }))
    }
}

/// The catalog entry of ``logDigest(top:)``: `--param top=N` (default 3).
public let logDigestDefinition = JobDefinition("log-digest", parameters: ["top": "how many warnings and errors to list per service (default 3)"]) {
    parameters in
    let text = parameters.values["top"] ?? "3"
    guard let top = Int(text), top >= 0 else { throw JobError(.badConfiguration, "job 'log-digest' needs --param top=N with N a whole number, not '\(text)'") }
    return AnyJob(logDigest(top: top))
}
