// Runs the sales ETL example in one process: one job of two steps, `sales-etl`, that joins order lines with
// products and totals revenue, orders and distinct customers per category per day; prints the CSV result with the
// cleaning counters.
//
//     swift run sales-etl-example [INPUT-DIR] [OUTPUT-DIR]
//
// The same job runs across processes with one command: mr-coordinator --job sales-etl … (see the README).
import Foundation
import Jobs
import MapReduce

let arguments = CommandLine.arguments.dropFirst()
let input = arguments.first ?? "Examples/SalesETL/input"
let output = arguments.dropFirst().first ?? NSTemporaryDirectory() + "sales-etl-example-\(UUID().uuidString)"

do {
    // The input has one row that is not valid CSV; up to 5 such rows are skipped and listed in _bad_records.jsonl.
    let summary = try SequentialRunner(configuration: JobConfiguration(reducers: 1, skipBadRecords: 5)).run(salesETL, inputs: [input], output: output)
    for part in try FileManager.default.contentsOfDirectory(atPath: output).filter({ $0.hasPrefix("part-") }).sorted() {
        print(try String(contentsOfFile: "\(output)/\(part)", encoding: .utf8), terminator: "")
    }
    print("\ncleaning:\n  rows that are not valid CSV (skipped, listed in _bad_records.jsonl): \(summary.skippedRecords)")
    for (name, count) in summary.counters.sorted(by: { $0.key < $1.key }) { print("  \(name): \(count)") }
    for step in summary.steps ?? [] { print(step.line) }
    print("output in \(output)")
} catch {
    FileHandle.standardError.write(Data("sales-etl-example: \(error)\n".utf8))
    exit(1)
}
