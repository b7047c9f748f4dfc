#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds where CSV records end: at a `\n` outside quotes.
///
/// A `"` opens a quoted field only at the start of a field (after a delimiter or a line ending, or at the start
/// of the file); inside one, `""` is a quote and a lone `"` closes it. A `"` anywhere else is left for the parser
/// to reject, and does not change the state, so one stray quote cannot swallow the rest of a file. The state
/// carries across buffer refills, and the same rules run from the start of a file give every reader the same
/// record boundaries.
struct CSVFramer {
    let delimiter: UInt8
    /// Inside a quoted field.
    private(set) var inQuotes = false
    /// Inside a quoted field, the last byte seen was a `"`: the next byte decides between `""` and the close.
    private var quotePending = false
    /// The byte before the next one to scan (`\n` at the start of a file or record).
    private var previous: UInt8 = 0x0A
    /// Line endings inside quoted fields of the current record.
    private(set) var quotedLineEndings: Int64 = 0

    init(delimiter: UInt8) { self.delimiter = delimiter }

    /// Starts a new record (after its predecessor's line ending).
    mutating func startRecord() {
        quotedLineEndings = 0
        previous = 0x0A
    }

    /// Scans `buffer[from..<to]` for the end of the current record.
    /// - Returns: the index of the record's terminating `\n`, or `nil` if the record goes on past `to`.
    mutating func findRecordEnd(in buffer: UnsafeRawBufferPointer, from: Int, to: Int) -> Int? {
        let base = buffer.baseAddress!
        var index = from
        while index < to {
            if quotePending {
                quotePending = false
                if buffer[index] == 0x22 {
                    previous = 0x22
                    index += 1
                    continue
                }
                inQuotes = false
                previous = 0x22
            }
            if inQuotes {
                let quote = memchr(base + index, 0x22, to - index).map { $0 - UnsafeMutableRawPointer(mutating: base) }
                let stop = quote ?? to
                for byte in UnsafeRawBufferPointer(rebasing: buffer[index..<stop]) where byte == 0x0A { quotedLineEndings += 1 }
                guard let quote else {
                    previous = buffer[to - 1]
                    return nil
                }
                quotePending = true
                index = quote + 1
                continue
            }
            let newline = memchr(base + index, 0x0A, to - index).map { $0 - UnsafeMutableRawPointer(mutating: base) }
            let stop = newline ?? to
            if let quote = memchr(base + index, 0x22, stop - index).map({ $0 - UnsafeMutableRawPointer(mutating: base) }) {
                let before = quote > index ? buffer[quote - 1] : previous
                if before == delimiter || before == 0x0A { inQuotes = true }
                previous = 0x22
                index = quote + 1
                continue
            }
            if let newline { return newline }
            previous = buffer[to - 1]
            return nil
        }
        return nil
    }

    /// Runs the rules over `buffer` without stopping at record ends: used to learn the state at a split's start.
    mutating func skip(_ buffer: UnsafeRawBufferPointer) {
        var from = 0
        while from < buffer.count, let end = findRecordEnd(in: buffer, from: from, to: buffer.count) {
            from = end + 1
            previous = 0x0A
        }
    }
}
