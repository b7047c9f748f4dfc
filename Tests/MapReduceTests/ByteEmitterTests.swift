import MapReduce
import MapReduceTesting
import Testing

@Suite struct ByteEmitterTests {
    static func job(borrowing: Bool) -> Job<[UInt8], [UInt8]> {
        Job("bytes-\(borrowing)", output: .bytes) { line, emit in
            if borrowing {
                emit(key: UnsafeRawBufferPointer(rebasing: line.bytes.prefix(3)), value: line.rawBytes)
            } else {
                emit(Array(line.bytes.prefix(3)), Array(line.rawBytes))
            }
        } reduce: { key, values, output in
            for value in values { try output.write(key + [0x20] + value) }
        }
    }

    @Test func borrowedBytesGoWhereArraysGo() throws {
        var random = SeededRandom(seed: 5)
        let lines = (0..<5000).map { _ in (0..<Int.random(in: 0...9, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) } }
        let directory = try TemporaryDirectory()
        let input = try directory.write("in.bin", Array(lines.map { $0.filter { $0 != 0x0A } }.joined(separator: [0x0D, 0x0A])))
        var outputs: [JobOutput] = []
        for borrowing in [false, true] {
            let output = directory.appending("out-\(borrowing)")
            try SequentialRunner(configuration: JobConfiguration(reducers: 3, memoryBudget: 1 << 16)).run(
                Self.job(borrowing: borrowing), inputs: [input], output: output)
            outputs.append(try JobOutput(directory: output))
        }
        #expect(outputs[0].parts.map(\.bytes.count).allSatisfy { $0 > 1000 })
        #expect(outputs[1].firstDifference(from: outputs[0]) == nil)
    }
}
