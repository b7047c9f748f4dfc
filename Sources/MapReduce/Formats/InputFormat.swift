import Foundation

/// How a job's input is read and what its map function receives: lines, CSV records or JSON Lines objects.
///
/// ```swift
/// Job<String, Int>("orders-per-customer", input: .csv()) { record, emit in
///     emit(try record.field("customer"), 1)
/// } reduce: { _, counts in counts.reduce(0, +) }
/// ```
///
/// A record that does not parse is an error naming its file and line; with `--skip-bad-records N` up to N such
/// records are skipped and listed instead.
public struct InputFormat<Record>: Sendable {
    /// How the bytes are cut into records.
    public let framing: RecordFraming
    private let decoder: @Sendable (Line) throws -> Record?

    /// Creates a format from its framing and its decoding of each framed record.
    init(framing: RecordFraming, decode: @escaping @Sendable (Line) throws -> Record?) {
        self.framing = framing
        self.decoder = decode
    }

    /// What the map function receives for one framed record, or `nil` if the record is skipped (a blank JSON line).
    /// - Throws: ``RecordFormatError`` if the record does not parse.
    public func decode(_ line: Line) throws -> Record? { try decoder(line) }
}

extension InputFormat where Record == Line {
    /// Each line is a record (the default).
    public static var lines: InputFormat<Line> { InputFormat(framing: .lines) { $0 } }
}

/// A pair an earlier step of the job emitted, as the next step's map function receives it.
@usableFromInline
struct StepPair<Key, Value> {
    let key: Key
    let value: Value
}

extension InputFormat {
    /// The pairs an earlier step emitted into its intermediate files: each record is a key's encoding followed by
    /// its value's.
    init<Key: RecordCodable, Value: RecordCodable>(pairsOf _: Key.Type, _: Value.Type) where Record == StepPair<Key, Value> {
        self.init(framing: .pairs) { line in
            var reader = RecordReader(line.bytes)
            let key = try Key(from: &reader)
            let value = try Value(from: &reader)
            guard reader.isAtEnd else { throw RecordFormatError("\(reader.remaining) bytes follow the pair's value: the earlier step wrote other types") }
            return StepPair(key: key, value: value)
        }
    }
}

extension InputFormat where Record == CSVRecord {
    /// CSV records (RFC 4180), split into fields; with a header, fields can be read by name.
    public static func csv(_ format: CSVFormat = CSVFormat()) -> InputFormat<CSVRecord> {
        InputFormat(framing: .csv(format)) { line in
            CSVRecord(
                fields: try CSVParser.fields(of: line.bytes, delimiter: format.delimiter), header: line.position.header, file: line.file,
                lineNumber: try line.number)
        }
    }
}

extension InputFormat where Record: Decodable & SendableMetatype {
    /// JSON Lines: one JSON object per line, decoded as `Record` with `JSONDecoder`. Blank lines are skipped.
    public static func jsonLines(_ type: Record.Type = Record.self) -> InputFormat<Record> {
        InputFormat(framing: .lines) { line in
            guard line.bytes.contains(where: { !isJSONWhitespace($0) }) else { return nil }
            do {
                return try JSONDecoder().decode(Record.self, from: Data(line.bytes))
            } catch let error as DecodingError {
                throw RecordFormatError(error.summary)
            }
        }
    }
}

private func isJSONWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }

extension DecodingError {
    /// One line saying what is wrong and where in the object.
    var summary: String {
        func path(_ context: Context, _ last: (any CodingKey)? = nil) -> String {
            let keys = context.codingPath + (last.map { [$0] } ?? [])
            return keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop(while: { $0 == "." }).description
        }
        switch self {
        case .keyNotFound(let key, let context): return "malformed JSON record: field '\(path(context, key))' is missing"
        case .valueNotFound(let type, let context): return "malformed JSON record: field '\(path(context))' is null, expected \(type)"
        case .typeMismatch(let type, let context): return "malformed JSON record: field '\(path(context))' is not \(type)"
        case .dataCorrupted(let context):
            let underlying = (context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey] as? String
            let location = context.codingPath.isEmpty ? "" : " at '\(path(context))'"
            return "malformed JSON record\(location): \(underlying ?? context.debugDescription)"
        @unknown default: return "malformed JSON record: \(self)"
        }
    }
}
