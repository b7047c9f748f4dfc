import Foundation
import MapReduceTesting
import Testing

/// The sales join streams one product's order lines through its reduce (a secondary sort puts the product first),
/// so its memory does not grow with them.
@Suite struct SalesJoinMemoryTests {
    /// Writes one listed product (`p1`), with `orders` order lines of about 1 KiB each (every 50th repeated with a
    /// larger customer, which the join drops), and three order lines of an unlisted product. Returns the join's
    /// expected output, computed here.
    static func writeInput(in directory: TemporaryDirectory, orders: Int) throws -> (input: String, expected: [String], orderBytes: Int) {
        _ = try directory.write("in/products.csv", "product_id,category,name\np1,books,A Long Book\np2,toys,Ball\n")
        var rows = ["order_id,customer,product_id,quantity,unit_price,timestamp"]
        var expected: [String] = []
        let padding = String(repeating: "x", count: 1000)
        for index in 0..<orders {
            let id = String(format: "o%07d", index)
            let customer = "customer-\(index % 997)-\(padding)"
            let day = String(format: "2026-01-%02d", 1 + index % 28)
            rows.append("\(id),\(customer),p1,\(1 + index % 5),\(index % 100).\(String(format: "%02d", index % 100)),\(day)T10:00:00Z")
            if index % 50 == 0 { rows.append("\(id),\(customer)-later,p1,9,1.00,\(day)T11:00:00Z") }
            expected.append("books,\(day),\(customer),\(id),\((1 + index % 5) * (index % 100 * 100 + index % 100))")
        }
        rows += ["u1,someone,p9,1,1.00,2026-01-01T00:00:00Z", "u2,someone,p9,1,1.00,2026-01-01T00:00:00Z"]
        let text = rows.joined(separator: "\n") + "\n"
        _ = try directory.write("in/orders.csv", text)
        return (directory.appending("in"), expected, text.utf8.count)
    }

    /// The peak resident memory, in bytes, of `mr-testbed local --job sales-join` over `input`, one task at a time
    /// (memory is bounded per running task).
    static func joinPeakMemory(input: String, output: String, errorLog: String) throws -> Int {
        try PeakMemory.of(
            "\(Cluster.binaryDirectory)/mr-testbed",
            ["local", "--job", "sales-join", "--memory-budget", "64KiB", "--parallel", "1", "--quiet", "--output", output, input],
            errorLog: errorLog)
    }

    @Test(.enabled(if: PeakMemory.isAvailable, "needs GNU time (Debian package 'time')"))
    func oneProductsOrdersStreamThroughAMemoryBudgetFarBelowTheirSize() throws {
        let directory = try TemporaryDirectory()
        let smallDirectory = try TemporaryDirectory()
        let small = try Self.writeInput(in: smallDirectory, orders: 10)
        let large = try Self.writeInput(in: directory, orders: 20_000)
        let baseline = try Self.joinPeakMemory(input: small.input, output: directory.appending("small-out"), errorLog: directory.appending("small.log"))
        let peak = try Self.joinPeakMemory(input: large.input, output: directory.appending("out"), errorLog: directory.appending("large.log"))

        let output = try JobOutput(directory: directory.appending("out"))
        #expect(output.lines == large.expected)
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory.appending("out/_summary.json"))))
        let counters = (summary as? [String: Any])?["counters"] as? [String: Int]
        #expect(counters == ["duplicate order rows": 400, "order rows with an unknown product": 2])
        // Holding the product's orders takes more than their 20 MiB of CSV (the join that held them: 15 MiB more for
        // 10 MiB of orders); streaming them costs the merge's buffers (about 3 MiB more here).
        #expect(peak - baseline < large.orderBytes / 2, "peak \(peak) bytes against \(baseline) for 10 orders; the orders are \(large.orderBytes) bytes")
    }
}
