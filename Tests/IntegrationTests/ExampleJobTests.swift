import Foundation
import Jobs
import MapReduce
import MapReduceTesting
import Testing

/// The ETL, grep and sort examples: each computed independently here, run by the `SequentialRunner` (which must
/// match the independent result), and run by a real coordinator and workers (which must match the runner byte for
/// byte).
@Suite(.serialized) struct ExampleJobTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Runs `job` with the `SequentialRunner` and reads its output.
    func sequential(_ job: AnyJob, _ inputs: [String], _ configuration: JobConfiguration, in directory: TemporaryDirectory) throws -> (JobOutput, JobSummary) {
        let report = try SequentialRunner(configuration: configuration).run(job, inputs: inputs, output: directory.appending("out"))
        return (try JobOutput(directory: directory.appending("out")), report)
    }

    /// Runs `job` with a coordinator and two workers and checks its output is byte-identical to `oracle`.
    @discardableResult
    func distributed(_ job: String, _ inputs: [String], reducers: Int, extra: [String] = [], matching oracle: JobOutput) throws -> Cluster {
        let cluster = try Cluster()
        try cluster.startCoordinator(job: job, reducers: reducers, inputs: inputs, extra: extra)
        for _ in 0..<2 { try cluster.startWorker() }
        let status = try cluster.coordinator.waitForExit(timeout: .seconds(120))
        #expect(status == 0, "coordinator exited \(status)\n\(cluster.logs)")
        for worker in cluster.workers where worker.isRunning { #expect(try worker.waitForExit(timeout: .seconds(30)) == 0, "\(cluster.logs)") }
        let difference = try JobOutput(directory: cluster.output).firstDifference(from: oracle)
        #expect(difference == nil, "\(difference ?? "")\n\(cluster.logs)")
        return cluster
    }

    // MARK: Sales ETL

    /// The example's result, computed from the CSV files with ``ReferenceCSV`` and plain Swift.
    static func expectedSales(_ input: String) throws -> (csv: [String], counters: [String: Int64], invalidRows: Int64) {
        var counters: [String: Int64] = [:]
        var invalid: Int64 = 0
        var products: [String: [(category: String, name: String)]] = [:]
        for record in ReferenceCSV.records(try String(contentsOfFile: "\(input)/products.csv", encoding: .utf8)).dropFirst() {
            guard record.isWellFormed else {
                invalid += 1
                continue
            }
            guard record.fields.count == 3, !record.fields.contains(where: \.isEmpty) else {
                counters["malformed product rows", default: 0] += 1
                continue
            }
            products[record.fields[0], default: []].append((record.fields[1], record.fields[2]))
        }
        let price = try NSRegularExpression(pattern: #"^([0-9]+)(\.([0-9]{1,2}))?$"#)
        let timestamp = try NSRegularExpression(pattern: #"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z$"#)
        func matches(_ expression: NSRegularExpression, _ text: String) -> NSTextCheckingResult? {
            expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
        }
        struct Line: Comparable {
            var day: String
            var customer: String
            var quantity: Int
            var cents: Int
            static func < (a: Line, b: Line) -> Bool { (a.day, a.customer, a.quantity, a.cents) < (b.day, b.customer, b.quantity, b.cents) }
        }
        var lines: [String: [String: Line]] = [:]  // product → order → line
        for record in ReferenceCSV.records(try String(contentsOfFile: "\(input)/orders.csv", encoding: .utf8)).dropFirst() {
            guard record.isWellFormed else {
                invalid += 1
                continue
            }
            let f = record.fields
            guard f.count == 6, !f[0].isEmpty, !f[1].isEmpty, !f[2].isEmpty, let quantity = Int(f[3]), quantity > 0, let priceMatch = matches(price, f[4]),
                matches(timestamp, f[5]) != nil
            else {
                counters["malformed order rows", default: 0] += 1
                continue
            }
            let whole = Int(f[4][Range(priceMatch.range(at: 1), in: f[4])!])!
            let fraction = Range(priceMatch.range(at: 3), in: f[4]).map { f[4][$0].padding(toLength: 2, withPad: "0", startingAt: 0) } ?? "00"
            let line = Line(day: String(f[5].prefix(10)), customer: f[1], quantity: quantity, cents: whole * 100 + Int(fraction)!)
            if let kept = lines[f[2]]?[f[0]] {
                counters["duplicate order rows", default: 0] += 1
                lines[f[2]]![f[0]] = min(kept, line)
            } else {
                lines[f[2], default: [:]][f[0]] = line
            }
        }
        struct Totals {
            var cents = 0
            var orders = Set<String>()
            var customers = Set<String>()
        }
        var totals: [String: Totals] = [:]  // "category,day"
        for (product, orders) in lines {
            guard let listed = products[product] else {
                counters["order rows with an unknown product", default: 0] += Int64(orders.count)
                continue
            }
            let category = listed.map(\.category).min()!
            for (order, line) in orders {
                let key = "\(category),\(line.day)"
                totals[key, default: Totals()].cents += line.quantity * line.cents
                totals[key]!.orders.insert(order)
                totals[key]!.customers.insert(line.customer)
            }
        }
        for (_, listed) in products where listed.count > 1 { counters["duplicate product rows", default: 0] += Int64(listed.count - 1) }
        let rows = totals.sorted { $0.key < $1.key }.map { key, total in
            "\(key),\(total.cents / 100).\(String(format: "%02d", total.cents % 100)),\(total.orders.count),\(total.customers.count)"
        }
        return (["category,day,revenue,orders,customers"] + rows, counters, invalid)
    }

    @Test func salesETLMatchesAnIndependentComputationInOneProcessAndDistributed() throws {
        let input = "\(Self.root)/Examples/SalesETL/input"
        let expected = try Self.expectedSales(input)
        #expect(expected.csv.count > 5 && expected.invalidRows == 1 && expected.counters.count == 4, "the example's input exercises every rule")

        // One job of two steps (join, then totals), with two reducers: each part holds a header and its categories.
        let directory = try TemporaryDirectory()
        let configuration = JobConfiguration(reducers: 2, skipBadRecords: 5)
        let (totals, report) = try sequential(AnyJob(salesETL), [input], configuration, in: directory)
        let parts = totals.parts.map { String(decoding: $0.bytes, as: UTF8.self).split(separator: "\n").map(String.init) }
        #expect(parts.count == 2 && parts.allSatisfy { $0.first == expected.csv[0] })
        #expect(parts.flatMap { $0.dropFirst() }.sorted() == Array(expected.csv.dropFirst()).sorted())
        #expect(report.counters == expected.counters)
        #expect(report.skippedRecords == expected.invalidRows)
        #expect(report.steps?.map(\.job) == ["join-orders-with-products", "sales-etl"])
        #expect(report.steps?.first?.counters == expected.counters, "the cleaning counters are the join step's")

        // Distributed: one command, the same workers for both steps, byte-identical output.
        let cluster = try distributed("sales-etl", [input], reducers: 2, extra: ["--skip-bad-records", "5", "--split-size", "1KiB"], matching: totals)
        let summary = try JobSummary(readingFrom: OutputDirectory(path: cluster.output))
        #expect(summary.skippedRecords == 1)
        #expect(summary.counters == expected.counters)
        #expect(summary.steps?.map(\.job) == ["join-orders-with-products", "sales-etl"])
        #expect(summary.steps?.map(\.outputRecords) == report.steps?.map(\.outputRecords))
        #expect(try String(contentsOfFile: "\(cluster.output)/_bad_records.jsonl", encoding: .utf8).split(separator: "\n").count == 1)
    }

    // MARK: Grep

    @Test func grepMatchesAnIndependentScanInOneProcessAndDistributed() throws {
        let directory = "\(Self.root)/Examples/Grep/input"
        let inputs = try FileManager.default.contentsOfDirectory(atPath: directory).sorted().map { "\(directory)/\($0)" }
        let pattern = #"(ERROR|WARN).*timeout"#
        let expression = try NSRegularExpression(pattern: pattern)
        var expected: [GrepMatch] = []
        for file in inputs {
            let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            for (index, line) in lines.enumerated() where expression.firstMatch(in: String(line), range: NSRange(line.startIndex..., in: line)) != nil {
                expected.append(GrepMatch(file: file, line: Int64(index + 1), text: String(line)))
            }
        }
        #expect(expected.count > 10)
        func matches(_ output: JobOutput) throws -> [GrepMatch] {
            try output.lines.map { try JSONDecoder().decode(GrepMatch.self, from: Data($0.utf8)) }.sorted { ($0.file, $0.line) < ($1.file, $1.line) }
        }
        let scratch = try TemporaryDirectory()
        let (oracle, _) = try sequential(AnyJob(try grep(pattern: pattern)), inputs, JobConfiguration(reducers: 2), in: scratch)
        #expect(try matches(oracle) == expected)
        try distributed("grep", inputs, reducers: 2, extra: ["--param", "pattern=\(pattern)", "--split-size", "2KiB"], matching: oracle)
    }

    // MARK: Sort

    /// Sort Benchmark records plus lines that share keys, short lines, a CR-only line and an empty one.
    static func sortInput(in directory: TemporaryDirectory) throws -> [String] {
        var paths = try SortRecords.write(to: directory.appending("in"), files: 3, records: 30_000, seed: 99)
        let tricky = ["SAMEKEY!!!  b\r", "SAMEKEY!!!  a\r", "SAMEKEY!!!", "short", "\r", "", "~~~~~~~~~~ last", " leading space"]
        paths.append(try directory.write("in/tricky.txt", tricky.joined(separator: "\n") + "\n"))
        return paths
    }

    @Test func sortEqualsLCAllCSortInOneProcessAndDistributed() throws {
        let directory = try TemporaryDirectory()
        let inputs = try Self.sortInput(in: directory)
        let sorted = directory.appending("sorted")
        let reference = try ChildProcess("/usr/bin/env", ["LC_ALL=C", "sort", "-o", sorted] + inputs, errorLog: directory.appending("sort.log"))
        #expect(try reference.waitForExit(timeout: .seconds(60)) == 0)
        let expected = Array(try Data(contentsOf: URL(fileURLWithPath: sorted)))
        #expect(expected.count > 3_000_000)

        let (oracle, _) = try sequential(AnyJob(sort), inputs, JobConfiguration(reducers: 3, splitSize: 256 << 10), in: directory)
        #expect(oracle.parts.count == 3)
        #expect(oracle.parts.allSatisfy { $0.bytes.count > 500_000 }, "\(oracle.parts.map(\.bytes.count))")
        let concatenated = oracle.parts.flatMap(\.bytes)
        let firstDifference = zip(concatenated, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(concatenated.count == expected.count && firstDifference == nil, "differs from LC_ALL=C sort at byte \(firstDifference ?? -1)")
        try distributed("sort", inputs, reducers: 3, extra: ["--split-size", "256KiB"], matching: oracle)
    }
}
