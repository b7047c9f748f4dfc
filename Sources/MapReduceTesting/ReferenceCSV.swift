/// A plain RFC 4180 reader for tests, written independently of the framework's CSV input: the whole text at
/// once, a character at a time. Blank lines are skipped, as the framework skips them.
public enum ReferenceCSV {
    /// One record: its fields, and whether it follows RFC 4180 (no text after a closing quote, no quote inside
    /// an unquoted field, every quote closed).
    public struct Record: Equatable, Sendable {
        /// The fields, unquoted.
        public var fields: [String]
        /// Whether the record is valid CSV.
        public var isWellFormed: Bool
    }

    /// The records of `text`.
    public static func records(_ text: String) -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var quoted = false
        var fieldStarted = false  // the current field has a character or a quote
        var closedQuote = false  // the current field's quotes closed
        var wellFormed = true
        var characters = Array(text.unicodeScalars)[...]
        func endField() {
            fields.append(field)
            field = ""
            fieldStarted = false
            closedQuote = false
        }
        func endRecord() {
            if fields.isEmpty, !fieldStarted { return }
            endField()
            records.append(Record(fields: fields, isWellFormed: wellFormed))
            fields = []
            wellFormed = true
        }
        while let scalar = characters.popFirst() {
            if quoted {
                if scalar == "\"" {
                    if characters.first == "\"" {
                        field.unicodeScalars.append("\"")
                        characters.removeFirst()
                    } else {
                        quoted = false
                        closedQuote = true
                    }
                } else {
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case ",": endField()
            case "\r" where characters.first == "\n": continue  // CRLF: the \n ends the record
            case "\n": endRecord()
            case "\"" where !fieldStarted:
                quoted = true
                fieldStarted = true
            default:
                if closedQuote || scalar == "\"" { wellFormed = false }
                field.unicodeScalars.append(scalar)
                fieldStarted = true
            }
        }
        if quoted { wellFormed = false }
        endRecord()
        return records
    }
}
