// Runs the sales ETL example in one process: joins order lines with products (sales-join), then totals revenue,
// orders and distinct customers per category per day (sales-by-category-day), and prints the CSV result with
// the cleaning counters.
//
//     swift run sales-etl-example [INPUT-DIR] [OUTPUT-DIR]
import Foundation
import Jobs
import MapReduce

let arguments = CommandLine.arguments.dropFirst()
let input = arguments.first ?? "Examples/SalesETL/input"
let output = arguments.dropFirst().first ?? NSTemporaryDirectory() + "sales-etl-example-\(UUID().uuidString)"

do {
    // The input has one row that is not valid CSV; up to 5 such rows are skipped and listed in _bad_records.jsonl.
    let runner = SequentialRunner(configuration: JobConfiguration(reducers: 2, skipBadRecords: 5))
    let joined = try runner.run(salesJoin, inputs: [input], output: "\(output)/joined")
    let totals = try SequentialRunner(configuration: JobConfiguration(reducers: 1)).run(
        salesByCategoryDay, inputs: ["\(output)/joined"], output: "\(output)/by-category-day")
    print(try String(contentsOfFile: "\(output)/by-category-day/part-00000", encoding: .utf8), terminator: "")
    print("\ncleaning:\n  rows that are not valid CSV (skipped, listed in _bad_records.jsonl): \(joined.skippedRecords)")
    for (name, count) in joined.counters.merging(totals.counters, uniquingKeysWith: +).sorted(by: { $0.key < $1.key }) {
        print("  \(name): \(count)")
    }
    print("output in \(output)/by-category-day (joined order lines in \(output)/joined)")
} catch {
    FileHandle.standardError.write(Data("sales-etl-example: \(error)\n".utf8))
    exit(1)
}
