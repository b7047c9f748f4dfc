import Foundation

/// How a job's reduce output records are written: plain lines, raw bytes, CSV, TSV or JSON Lines. Every record
/// ends with `\n`.
///
/// ```swift
/// struct Total: Encodable { let category: String; let revenue: Int }
/// Job<String, Int>("totals", output: .csv()) { line, emit in … } reduce: { category, amounts, output in
///     try output.write(Total(category: category, revenue: amounts.reduce(0, +)))
/// }
/// ```
public struct OutputFormat<Record>: Sendable {
    /// Appends one record, with its line ending, to the buffer.
    @usableFromInline let append: @Sendable (Record, inout [UInt8]) throws -> Void
    /// The header to write before a file's first record, made from that record, for formats that have one.
    @usableFromInline let header: (@Sendable (Record, inout [UInt8]) throws -> Void)?
}

extension OutputFormat where Record: CustomStringConvertible & SendableMetatype {
    /// Each record's `description` on a line of its own, nothing else: a job that writes just values.
    public static var lines: OutputFormat<Record> {
        OutputFormat(
            append: { record, buffer in
                buffer.append(contentsOf: record.description.utf8)
                buffer.append(0x0A)
            }, header: nil)
    }
}

extension OutputFormat where Record == [UInt8] {
    /// Each record's bytes unchanged, then `\n`: a job that writes its input lines as they were (a sort).
    public static var bytes: OutputFormat<[UInt8]> {
        OutputFormat(
            append: { record, buffer in
                buffer.append(contentsOf: record)
                buffer.append(0x0A)
            }, header: nil)
    }
}

extension OutputFormat where Record: Encodable & SendableMetatype {
    /// One JSON object per line, from `JSONEncoder` with sorted keys (so every run writes the same bytes) and `/`
    /// not escaped; `nil` properties are left out.
    public static var jsonLines: OutputFormat<Record> {
        OutputFormat(
            append: { record, buffer in
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                buffer.append(contentsOf: try encoder.encode(record))
                buffer.append(0x0A)
            }, header: nil)
    }

    /// CSV (RFC 4180): one row per record, its fields from the record's properties in order,
    /// quoted when they hold a comma, a quote, a line ending, or leading or trailing spaces.
    /// - Parameter header: whether each output file that holds records starts with the properties' names.
    public static func csv(header: Bool = true) -> OutputFormat<Record> { delimited(CSVQuoting.self, header: header) }

    /// Tab-separated values: like ``csv(header:)`` with tabs between fields; a tab, line ending or backslash in a
    /// field is written as `\t`, `\n`, `\r` or `\\`.
    public static func tsv(header: Bool = true) -> OutputFormat<Record> { delimited(TSVQuoting.self, header: header) }

    private static func delimited<Quoting: FieldQuoting>(_ quoting: Quoting.Type, header: Bool) -> OutputFormat<Record> {
        let append: @Sendable (Record, inout [UInt8]) throws -> Void = { record, buffer in
            appendRow(try RowEncoder.fields(of: record).map(\.text), to: &buffer, quoting: quoting)
        }
        let names: @Sendable (Record, inout [UInt8]) throws -> Void = { record, buffer in
            appendRow(try RowEncoder.fields(of: record).map(\.name), to: &buffer, quoting: quoting)
        }
        return OutputFormat(append: append, header: header ? names : nil)
    }
}

/// How a delimited format writes one field.
protocol FieldQuoting: SendableMetatype {
    static var delimiter: UInt8 { get }
    static func append(_ field: String, to buffer: inout [UInt8])
}

private func appendRow<Quoting: FieldQuoting>(_ fields: [String?], to buffer: inout [UInt8], quoting: Quoting.Type) {
    for (index, field) in fields.enumerated() {
        if index > 0 { buffer.append(Quoting.delimiter) }
        if let field { Quoting.append(field, to: &buffer) }
    }
    buffer.append(0x0A)
}

/// RFC 4180 quoting: a field is quoted when it must be, and quotes inside it are doubled.
enum CSVQuoting: FieldQuoting {
    static var delimiter: UInt8 { 0x2C }

    static func append(_ field: String, to buffer: inout [UInt8]) {
        let utf8 = field.utf8
        let needsQuotes = utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D } || utf8.first == 0x20 || utf8.last == 0x20
        guard needsQuotes else {
            buffer.append(contentsOf: utf8)
            return
        }
        buffer.append(0x22)
        for byte in utf8 {
            if byte == 0x22 { buffer.append(0x22) }
            buffer.append(byte)
        }
        buffer.append(0x22)
    }
}

/// TSV escaping: tabs, line endings and backslashes become two-character escapes.
enum TSVQuoting: FieldQuoting {
    static var delimiter: UInt8 { 0x09 }

    static func append(_ field: String, to buffer: inout [UInt8]) {
        for byte in field.utf8 {
            switch byte {
            case 0x09: buffer.append(contentsOf: [0x5C, 0x74])
            case 0x0A: buffer.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: buffer.append(contentsOf: [0x5C, 0x72])
            case 0x5C: buffer.append(contentsOf: [0x5C, 0x5C])
            default: buffer.append(byte)
            }
        }
    }
}
