import Foundation
@testable import MapReduce
import MapReduceTesting
import Testing

@Suite struct OutputFormatTests {
    struct Row: Codable, Equatable {
        let name: String
        let count: Int
        let ratio: Double
        let note: String?
    }

    /// Writes two `Row`s for each distinct line: several records per key.
    static func rows(_ format: OutputFormat<Row>) -> Job<String, Int> {
        Job<String, Int>("rows", output: format) { line, emit in
            emit(line.string, 1)
        } reduce: { key, ones, output in
            let count = ones.reduce(0, +)
            try output.write(Row(name: key, count: count, ratio: Double(count) / 2, note: nil))
            try output.write(Row(name: key, count: -count, ratio: 0.25, note: "second"))
        }
    }

    func run<Key, Value>(_ job: Job<Key, Value>, _ input: String, reducers: Int = 1) throws -> JobOutput {
        let directory = try TemporaryDirectory()
        let path = try directory.write("in.txt", input)
        try SequentialRunner(configuration: JobConfiguration(reducers: reducers)).run(job, inputs: [path], output: directory.appending("out"))
        return try JobOutput(directory: directory.appending("out"))
    }

    @Test func csvQuotesWhatItMustAndWritesAHeaderPerFile() throws {
        let output = try run(Self.rows(.csv()), "plain\nhas,comma\nhas \"quote\"\n padded\nplain\n")
        #expect(
            output.lines == [
                "name,count,ratio,note",
                "\" padded\",1,0.5,", "\" padded\",-1,0.25,second",
                "\"has \"\"quote\"\"\",1,0.5,", "\"has \"\"quote\"\"\",-1,0.25,second",
                "\"has,comma\",1,0.5,", "\"has,comma\",-1,0.25,second",
                "plain,2,1.0,", "plain,-2,0.25,second",
            ])
    }

    /// A CSV output of several parts repeats its header in each (issue 23): ``JobOutput/csv()`` reads it once; JSON
    /// Lines parts read back as values.
    @Test func jobOutputReadsCSVAndJSONLinesAcrossParts() throws {
        let input = "plain\nhas,comma\nhas \"quote\"\nmulti\nline\nplain\n"
        let csv = try run(Self.rows(.csv()), input, reducers: 3)
        #expect(csv.parts.filter { !$0.bytes.isEmpty }.count > 1, "several parts, each with its header")
        let (header, rows) = try csv.csv()
        #expect(header == ["name", "count", "ratio", "note"])
        #expect(Set(rows.map { $0[0] }) == ["plain", "has,comma", "has \"quote\"", "multi", "line"] && rows.count == 10)
        let json = try run(Self.rows(.jsonLines), input, reducers: 3).jsonLines(as: Row.self)
        #expect(json.count == 10 && json.contains(Row(name: "has,comma", count: 1, ratio: 0.5, note: nil)))
    }

    @Test func csvWithoutHeaderAndTsvEscapes() throws {
        #expect(try run(Self.rows(.csv(header: false)), "a\n").lines == ["a,1,0.5,", "a,-1,0.25,second"])
        #expect(
            try run(Self.rows(.tsv()), "tab\there\\\n").lines == ["name\tcount\tratio\tnote", "tab\\there\\\\\t1\t0.5\t", "tab\\there\\\\\t-1\t0.25\tsecond"])
    }

    @Test func jsonLinesRoundTripWithSortedKeys() throws {
        let output = try run(Self.rows(.jsonLines), "x/y \"z\"\n")
        #expect(output.lines.first == #"{"count":1,"name":"x/y \"z\"","ratio":0.5}"#)
        let decoded = try output.lines.map { try JSONDecoder().decode(Row.self, from: Data($0.utf8)) }
        #expect(decoded == [Row(name: "x/y \"z\"", count: 1, ratio: 0.5, note: nil), Row(name: "x/y \"z\"", count: -1, ratio: 0.25, note: "second")])
    }

    @Test func emptyPartitionsHaveNoHeaderAndCountsAreRecords() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("in.txt", "only\n")
        let report = try SequentialRunner(configuration: JobConfiguration(reducers: 3)).run(
            Self.rows(.csv()), inputs: [path], output: directory.appending("out"))
        let output = try JobOutput(directory: directory.appending("out"))
        #expect(output.parts.filter { !$0.bytes.isEmpty }.count == 1)
        #expect(report.outputRecords == 2)
    }

    @Test func nestedValuesAreRejectedWithTheFieldNamed() throws {
        struct Inner: Encodable { let x: Int }
        struct Outer: Encodable { let inner: Inner }
        let job = Job<String, Int>("nested", output: .csv()) { line, emit in
            emit(line.string, 1)
        } reduce: { _, _, output in
            try output.write(Outer(inner: Inner(x: 1)))
        }
        let error = try #require(throws: JobError.self) { try run(job, "a\n") }
        #expect(error.message.contains("'inner' is a nested value"), "\(error.message)")
    }

    /// A record the format refuses part way through (after its header and some of its bytes), which the reduce
    /// function catches, leaves nothing in the file: the next record writes the header, once, and itself.
    @Test func aRefusedRecordThatTheReduceCatchesLeavesNothingBehind() throws {
        struct Refused: Error {}
        let format = OutputFormat<String>(
            append: { record, buffer in
                buffer.append(contentsOf: "\(record) is".utf8)
                if record.hasPrefix("bad") { throw Refused() }
                buffer.append(contentsOf: " good\n".utf8)
            },
            header: { _, buffer in buffer.append(contentsOf: "header\n".utf8) })
        let job = Job<String, Int>("refusing", output: format) { line, emit in
            emit(line.string, 1)
        } reduce: { key, _, output in
            #expect(throws: Refused.self) { try output.write("bad \(key)") }
            try output.write(key)
        }
        #expect(try run(job, "a\nb\n").lines == ["header", "a is good", "b is good"])
    }

    @Test func linesAndBytesWriteValuesOnly() throws {
        let lines = Job<String, Int>("lengths", output: .lines) { line, emit in
            emit(line.string, line.bytes.count)
        } reduce: { _, lengths, output in
            for length in lengths { try output.write(length) }
        }
        #expect(try run(lines, "bb\na\nbb\n").lines == ["1", "2", "2"])
        let bytes = Job<[UInt8], [UInt8]>("raw", output: .bytes) { line, emit in
            emit(Array(line.bytes), Array(line.rawBytes))
        } reduce: { _, raws, output in
            for raw in raws { try output.write(raw) }
        }
        let output = try run(bytes, "b\r\na\n\u{FF}\n")
        #expect(output.parts[0].bytes == Array("a\nb\r\n".utf8) + [0xC3, 0xBF, 0x0A])
    }
}
