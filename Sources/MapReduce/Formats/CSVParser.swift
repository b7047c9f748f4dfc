/// Splits one CSV record (RFC 4180) into its fields.
enum CSVParser {
    /// The fields of `record`, which holds one whole record without its final line ending.
    /// - Throws: ``RecordFormatError`` naming the field and what is wrong with it.
    static func fields(of record: UnsafeRawBufferPointer, delimiter: UInt8) throws(RecordFormatError) -> [String] {
        var fields: [String] = []
        var index = 0
        let count = record.count
        while true {
            let number = fields.count + 1
            if index < count, record[index] == 0x22 {
                // A quoted field: up to the lone closing quote; "" is a quote.
                var value: [UInt8] = []
                index += 1
                var closed = false
                while index < count {
                    let byte = record[index]
                    index += 1
                    if byte == 0x22 {
                        if index < count, record[index] == 0x22 {
                            value.append(0x22)
                            index += 1
                        } else {
                            closed = true
                            break
                        }
                    } else {
                        value.append(byte)
                    }
                }
                guard closed else { throw RecordFormatError("CSV field \(number) opens a quote that is never closed") }
                if index < count, record[index] != delimiter {
                    throw RecordFormatError("CSV field \(number) has text after its closing quote; quote the whole field and double the quotes inside it")
                }
                fields.append(String(decoding: value, as: UTF8.self))
            } else {
                let start = index
                while index < count, record[index] != delimiter {
                    if record[index] == 0x22 {
                        throw RecordFormatError(
                            "CSV field \(number) has a quote inside an unquoted value; quote the whole field and double the quotes inside it")
                    }
                    index += 1
                }
                fields.append(String(decoding: UnsafeRawBufferPointer(rebasing: record[start..<index]), as: UTF8.self))
            }
            guard index < count else { return fields }
            index += 1  // the delimiter; a record ending in one has an empty last field
            if index == count {
                fields.append("")
                return fields
            }
        }
    }
}
