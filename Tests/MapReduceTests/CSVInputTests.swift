import Foundation
import MapReduce
import MapReduceTesting
import Testing

@Suite struct CSVInputTests {
    /// Parses a whole CSV text the way RFC 4180 reads it, independently of the framework: records and the line
    /// each starts on.
    static func expectedRecords(_ text: [UInt8]) -> [(fields: [String], line: Int64)] {
        var records: [(fields: [String], line: Int64)] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line: Int64 = 1
        var recordLine: Int64 = 1
        var index = 0
        var quoted = false
        var recordHasContent = false
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field = []
        }
        while index < text.count {
            let byte = text[index]
            if quoted {
                if byte == 0x22 {
                    if index + 1 < text.count, text[index + 1] == 0x22 {
                        field.append(0x22)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if byte == 0x0A { line += 1 }
                    field.append(byte)
                }
            } else if byte == 0x22 {
                quoted = true
                recordHasContent = true
            } else if byte == 0x2C {
                endField()
                recordHasContent = true
            } else if byte == 0x0A {
                if field.last == 0x0D { field.removeLast() }
                if recordHasContent || !field.isEmpty {
                    endField()
                    records.append((fields, recordLine))
                }
                fields = []
                field = []
                recordHasContent = false
                line += 1
                recordLine = line
            } else {
                field.append(byte)
            }
            index += 1
        }
        if recordHasContent || !field.isEmpty {
            endField()
            records.append((fields, recordLine))
        }
        return records
    }

    /// A random CSV text whose fields hold commas, quotes, line endings (LF and CRLF) and non-ASCII text.
    static func randomCSV(records: Int, seed: UInt64) -> [UInt8] {
        var random = SeededRandom(seed: seed)
        let pieces = ["a", "bc", "déf", ",", "\"", "\n", "\r\n", " ", "x y", "12", ""]
        var text = ""
        for _ in 0..<records {
            let count = Int.random(in: 1...5, using: &random)
            let fields = (0..<count).map { _ in
                (0..<Int.random(in: 0...4, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
            }
            text += fields.map { field in
                field.contains(where: { ",\"\n\r".contains($0) }) || field.isEmpty && Bool.random(using: &random)
                    ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
            }.joined(separator: ",")
            text += Bool.random(using: &random) ? "\r\n" : "\n"
            if Int.random(in: 0..<10, using: &random) == 0 { text += "\n" }  // a blank line
        }
        return Array(text.utf8)
    }

    @Test(arguments: [1 as UInt64, 2, 3])
    func everyRecordIsReadOnceWhateverTheSplitsWithItsLineNumber(seed: UInt64) throws {
        let directory = try TemporaryDirectory()
        let bytes = Self.randomCSV(records: 400, seed: seed)
        let path = try directory.write("data.csv", bytes)
        let expected = Self.expectedRecords(bytes)
        var random = SeededRandom(seed: seed)
        for _ in 0..<12 {
            let splitSize = Int64.random(in: 1...Int64(bytes.count / 3), using: &random)
            var seen: [(fields: [String], line: Int64)] = []
            var start: Int64 = 0
            while start < Int64(bytes.count) {
                let split = InputSplit(file: InputFile(path: path), start: start, end: min(start + splitSize, Int64(bytes.count)))
                try SplitReader(bufferSize: 64).forEachRecord(in: split, framing: .csv(CSVFormat(header: false))) { line in
                    let record = try InputFormat<CSVRecord>.csv(CSVFormat(header: false)).decode(line)!
                    seen.append((record.fields, record.lineNumber))
                }
                start += splitSize
            }
            #expect(seen.map(\.fields) == expected.map(\.fields), "split size \(splitSize)")
            #expect(seen.map(\.line) == expected.map(\.line), "split size \(splitSize)")
        }
    }

    @Test func headerNamesFieldsInEverySplitAndIsNotARecord() throws {
        let directory = try TemporaryDirectory()
        let text = "\u{FEFF}id,name,note\n1,Ada,\"likes \"\"engines\"\"\"\n2,Grace,\"multi\nline\"\n3,Linus,plain\n"
        let path = try directory.write("people.csv", text)
        let size = Int64(text.utf8.count)
        var names: [String] = []
        var notes: [String] = []
        for start in stride(from: Int64(0), to: size, by: 20) {
            let split = InputSplit(file: InputFile(path: path), start: start, end: min(start + 20, size))
            try SplitReader().forEachRecord(in: split, framing: .csv(CSVFormat())) { line in
                let record = try InputFormat<CSVRecord>.csv().decode(line)!
                names.append(try record.field("name"))
                notes.append(try record.field("note"))
                #expect(try record.field("id", as: Int.self) == names.count)
            }
        }
        #expect(names == ["Ada", "Grace", "Linus"])
        #expect(notes == ["likes \"engines\"", "multi\nline", "plain"])
    }

    @Test(arguments: [
        ("a,b\"c,d", "field 2 has a quote inside an unquoted value"),
        ("a,\"b\"c,d", "field 2 has text after its closing quote"),
        ("a,\"never closed", "field 2 opens a quote that is never closed"),
    ])
    func malformedRecordsAreNamedWithFileAndLine(record: String, problem: String) throws {
        let directory = try TemporaryDirectory()
        let input = try directory.write("in.csv", "x,y,z\n1,2,3\n\(record)\n4,5,6\n")
        let job = Job<String, Int>("csv-fields", input: .csv()) { record, emit in
            emit(try record.field("x"), 1)
        } reduce: { _, ones in
            ones.reduce(0, +)
        }
        let error = try #require(throws: JobError.self) {
            try SequentialRunner().run(job, inputs: [input], output: directory.appending("out"))
        }
        #expect(error.message.contains("line 3 (byte 12) of '\(input)'"), "\(error.message)")
        #expect(error.message.contains(problem), "\(error.message)")
    }

    @Test func malformedRecordsCanBeSkippedAndListed() throws {
        let directory = try TemporaryDirectory()
        let input = try directory.write("in.csv", "x,y\n1,2\na\"b,3\n4,5\n")
        let job = Job<String, Int>("csv-sum", input: .csv()) { record, emit in
            emit("y", try record.field("y", as: Int.self))
        } reduce: { _, values in
            values.reduce(0, +)
        }
        let output = directory.appending("out")
        let report = try SequentialRunner(configuration: JobConfiguration(skipBadRecords: 1)).run(job, inputs: [input], output: output)
        #expect(report.skippedRecords == 1)
        #expect(try JobOutput(directory: output).lines == ["y 7"])
        let listed = try String(contentsOfFile: "\(output)/\(BadRecordsFile.outputFileName)", encoding: .utf8)
        #expect(listed.contains("\"line\":3"), "\(listed)")
    }

    @Test func fieldErrorsSayWhatIsMissing() throws {
        let directory = try TemporaryDirectory()
        let input = try directory.write("in.csv", "x,y\n1,two\n")
        let job = Job<String, Int>("csv-types", input: .csv()) { record, emit in
            emit("y", try record.field("y", as: Int.self))
        } reduce: { _, values in
            values.reduce(0, +)
        }
        let error = try #require(throws: JobError.self) { try SequentialRunner().run(job, inputs: [input], output: directory.appending("out")) }
        #expect(error.message.contains("line 2 (byte 4)"))
        #expect(error.message.contains("field 'y' is 'two', which is not a valid Int"), "\(error.message)")
    }
}
