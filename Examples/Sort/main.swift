// Generates Sort Benchmark records (100 bytes each, 10-byte keys), sorts them with the total-order `sort` job
// into 4 partitions in one process, and checks that the partitions in name order are sorted.
//
//     swift run sort-example [RECORDS] [WORK-DIR]
import Foundation
import Jobs
import MapReduce
import MapReduceTesting

struct OutOfOrder: Error, CustomStringConvertible {
    let part: Int
    var description: String { "part-0000\(part) is not in order after the partitions before it" }
}

let arguments = Array(CommandLine.arguments.dropFirst())
let records = arguments.first.flatMap(Int.init) ?? 100_000
let work = arguments.count > 1 ? arguments[1] : NSTemporaryDirectory() + "sort-example-\(UUID().uuidString)"

do {
    try SortRecords.write(to: "\(work)/input", files: 4, records: records, seed: 7)
    let report = try SequentialRunner(configuration: JobConfiguration(reducers: 4, splitSize: 4 << 20)).run(
        sort, inputs: ["\(work)/input"], output: "\(work)/output")
    var previous: [UInt8] = []
    var sizes: [Int] = []
    for part in 0..<4 {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: "\(work)/output/part-0000\(part)")))
        sizes.append(bytes.count / SortRecords.recordSize)
        for line in bytes.split(separator: 0x0A) {
            guard !line.lexicographicallyPrecedes(previous) else { throw OutOfOrder(part: part) }
            previous = Array(line)
        }
    }
    print("sorted \(report.inputRecords) records (\(report.inputBytes >> 20) MiB) in \(String(format: "%.2f", report.seconds)) s")
    print("records per partition: \(sizes.map(String.init).joined(separator: ", ")); partitions in order are sorted")
    print("input in \(work)/input, output in \(work)/output")
} catch {
    FileHandle.standardError.write(Data("sort-example: \(error)\n".utf8))
    exit(1)
}
