/// One record of a CSV input: its fields, and the file's header when the format has one.
///
/// ```swift
/// let quantity = try record.field("quantity", as: Int.self)
/// ```
public struct CSVRecord: Sendable {
    /// The fields, unquoted, in order.
    public let fields: [String]
    /// The field names from the file's first record, if the format has a header.
    public let header: CSVHeader?
    /// The file the record is in.
    public let file: InputFile
    /// The 1-based line number where the record starts.
    public let lineNumber: Int64

    /// Creates a record.
    public init(fields: [String], header: CSVHeader?, file: InputFile, lineNumber: Int64) {
        self.fields = fields
        self.header = header
        self.file = file
        self.lineNumber = lineNumber
    }

    /// The number of fields.
    public var count: Int { fields.count }

    /// Whether the header names a field `name`.
    public func has(_ name: String) -> Bool { header?.index(of: name) != nil }

    /// The field at `index` (0-based).
    /// - Throws: ``RecordFormatError`` if the record has fewer fields.
    public func field(at index: Int) throws(RecordFormatError) -> String {
        guard index >= 0, index < fields.count else {
            throw RecordFormatError("the record has \(fields.count) fields; field \(index + 1) was asked for")
        }
        return fields[index]
    }

    /// The field the header calls `name`.
    /// - Throws: ``RecordFormatError`` if there is no header, the header has no such field, or this record is too
    ///   short to have it.
    public func field(_ name: String) throws(RecordFormatError) -> String {
        guard let header else { throw RecordFormatError("field '\(name)' was asked for by name, but the CSV format has no header") }
        guard let index = header.index(of: name) else {
            throw RecordFormatError("the header has no field '\(name)'; its fields are \(header.names.joined(separator: ", "))")
        }
        guard index < fields.count else {
            throw RecordFormatError("the record has \(fields.count) fields, the header \(header.names.count); field '\(name)' is missing")
        }
        return fields[index]
    }

    /// The field the header calls `name`, converted to `T` (`Int`, `Double`, `Bool`…).
    /// - Throws: ``RecordFormatError`` if the field is missing or does not convert.
    public func field<T: LosslessStringConvertible>(_ name: String, as type: T.Type) throws(RecordFormatError) -> T {
        let text = try field(name)
        guard let value = T(text) else { throw RecordFormatError("field '\(name)' is '\(text)', which is not a valid \(T.self)") }
        return value
    }
}
