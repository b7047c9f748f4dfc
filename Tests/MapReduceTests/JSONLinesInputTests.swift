import Foundation
import MapReduce
import MapReduceTesting
import Testing

@Suite struct JSONLinesInputTests {
    struct Sale: Decodable {
        let store: String
        let amount: Int
    }

    static let totals = Job<String, Int>("store-totals", input: .jsonLines(Sale.self)) { sale, emit in
        emit(sale.store, sale.amount)
    } reduce: { _, amounts in
        amounts.reduce(0, +)
    }

    @Test func objectsAreDecodedAndBlankLinesSkipped() throws {
        let directory = try TemporaryDirectory()
        let input = try directory.write(
            "sales.jsonl", "{\"store\":\"north\",\"amount\":3}\n\n{\"amount\":4,\"store\":\"south\"}\r\n  \n{\"store\":\"north\",\"amount\":5}")
        let output = directory.appending("out")
        let report = try SequentialRunner().run(Self.totals, inputs: [input], output: output)
        #expect(try JobOutput(directory: output).lines == ["north 8", "south 4"])
        #expect(report.inputRecords == 5)
    }

    @Test(arguments: [
        ("{\"store\":\"north\"}", "field 'amount' is missing"),
        ("{\"store\":\"north\",\"amount\":\"3\"}", "field 'amount' is not Int"),
        ("{\"store\":\"north\",\"amount\":null}", "field 'amount' is null"),
        ("{\"store\": north}", "malformed JSON record"),
    ])
    func malformedObjectsAreNamedWithFileAndLine(object: String, problem: String) throws {
        let directory = try TemporaryDirectory()
        let input = try directory.write("sales.jsonl", "{\"store\":\"a\",\"amount\":1}\n\(object)\n")
        let error = try #require(throws: JobError.self) { try SequentialRunner().run(Self.totals, inputs: [input], output: directory.appending("out")) }
        #expect(error.message.contains("line 2 (byte 25) of '\(input)'"), "\(error.message)")
        #expect(error.message.contains(problem), "\(error.message)")
    }
}
