import FaultInjection
import Foundation
import Jobs
import MapReduce
import MapReduceTesting
import Testing

/// The status page, `/v1/job`, `/metrics` and the history of a real job with a failed attempt: checked in a
/// headless Chromium, with promtool, against `/v1/status` and `_summary.json`, and rendered again from the
/// history by `report` once the coordinator is gone.
@Suite(.serialized) struct ObservabilityTests {
    /// Where the page's screenshot is kept: `.build/test-artifacts/`.
    static let artifacts = URL(fileURLWithPath: Cluster.binaryDirectory).deletingLastPathComponent().appendingPathComponent("test-artifacts").path

    static func tool(_ name: String) -> String? {
        ["/usr/bin/\(name)", "/usr/local/bin/\(name)", "/bin/\(name)"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static let chromiumFlags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]

    /// Chromium, if it is installed and can render a page here (`nil`, with the reason, otherwise).
    static func runnableChromium(in directory: TemporaryDirectory) throws -> (path: String?, reason: String) {
        guard let chromium = tool("chromium") else { return (nil, "chromium is not installed; scripts/test.sh installs it") }
        let probe = try ChildProcess(
            chromium, chromiumFlags + ["--user-data-dir=\(directory.appending("probe-profile"))", "--dump-dom", "data:text/html,<p>ok</p>"],
            errorLog: directory.appending("chromium-probe.log"))
        guard try probe.waitForExit(timeout: .seconds(60)) == 0, probe.standardOutput.contains("<p>ok</p>") else {
            return (nil, "chromium cannot render a page here: \(probe.standardError.suffix(300))")
        }
        return (chromium, "")
    }

    /// A job with one failed attempt, finished, its coordinator still serving (`--linger`).
    func finishedJobWithAFailure() throws -> Cluster {
        let cluster = try Cluster(.testbed)
        try cluster.startCoordinator(
            job: "probe-word-count", reducers: 3, inputs: DistributedRunTests.examples, extra: ["--split-size", "1KiB", "--linger", "60", "--quiet"])
        let connection = try Connection(to: cluster)
        // A slow worker (2 s in each map task) joins first; then a worker whose map calls all throw. A task that failed
        // on one worker goes to another live one, so each task fails at most once and the job cannot run out of
        // attempts, however fast the failing worker is. (When the failing worker ran alone until the test stopped it,
        // under load it failed one task --max-attempts times first, and the job failed.)
        let slow = try cluster.startWorker(environment: ["MR_PROBE_MAP_SLEEP_MS": "2000"])
        try ChildProcess.waitUntil("the slow worker to register", timeout: .seconds(60)) { slow.standardError.contains("registered") ? true : nil }
        let failing = try cluster.startWorker(environment: ["MR_PROBE_MAP_THROW": "disk <on> fire"])
        try ChildProcess.waitUntil("a failed attempt", timeout: .seconds(60)) {
            try connection.request("GET", "/v1/status", body: "").contains("disk <on> fire") ? true : nil
        }
        failing.send(SIGTERM)
        try failing.waitForExit(timeout: .seconds(10))
        try ChildProcess.waitUntil("the output", timeout: .seconds(60)) { FileManager.default.fileExists(atPath: "\(cluster.output)/_SUCCESS") ? true : nil }
        try ChildProcess.waitUntil("the job to be over", timeout: .seconds(10)) {
            try connection.request("GET", "/v1/status", body: "").contains(#""phase":"succeeded""#) ? true : nil
        }
        return cluster
    }

    func get(_ cluster: Cluster, _ path: String) throws -> (status: Int, body: String) {
        let connection = try Connection(to: cluster)
        connection.sendRequest("GET", path, body: "")
        return try connection.readAnswer()
    }

    @Test func theStatusPageJSONMetricsAndHistoryAgree() throws {
        let cluster = try finishedJobWithAFailure()
        let summary = try JobSummary(readingFrom: OutputDirectory(path: cluster.output))
        #expect(summary.failedAttempts >= 1)

        // /v1/job: the page's data, matching the summary.
        let job = try JSONSerialization.jsonObject(with: Data(try get(cluster, "/v1/job").body.utf8)) as? [String: Any] ?? [:]
        #expect(job["phase"] as? String == "succeeded")
        let totals = job["totals"] as? [String: Any] ?? [:]
        #expect(totals["inputBytes"] as? Int64 == summary.inputBytes && totals["outputRecords"] as? Int64 == summary.outputRecords)
        let hottest = job["hottestKeys"] as? [[String: Any]] ?? []
        #expect(hottest.count == 10, "the ten keys with the most values")
        #expect(hottest.allSatisfy { ($0["records"] as? Int ?? 0) <= summary.mapTasks }, "after the combiner: at most one value per map task")
        let groups = job["failureGroups"] as? [[String: Any]] ?? []
        #expect(groups.contains { ($0["error"] as? String ?? "").contains("disk <on> fire") }, "\(groups)")

        // /metrics: valid Prometheus text whose totals are the summary's.
        let metrics = try get(cluster, "/metrics").body
        func value(_ name: String) -> Double? {
            metrics.split(separator: "\n").first { $0.hasPrefix("\(name) ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
        }
        #expect(value("mapreduce_input_bytes_total") == Double(summary.inputBytes))
        #expect(value("mapreduce_input_records_total") == Double(summary.inputRecords))
        #expect(value("mapreduce_intermediate_bytes_total") == Double(summary.intermediateBytes))
        #expect(value("mapreduce_output_bytes_total") == Double(summary.outputBytes))
        #expect(value("mapreduce_output_records_total") == Double(summary.outputRecords))
        #expect(value(#"mapreduce_attempts_failed_total{phase="map"}"#) == Double(summary.failedAttempts))
        #expect(value(#"mapreduce_tasks{phase="reduce",state="committed"}"#) == 3)
        // Issue 23, item 5: the gauge stayed at 2 while the page said no worker was alive.
        let workers = job["workers"] as? [[String: Any]] ?? []
        #expect(!workers.isEmpty && workers.allSatisfy { $0["state"] as? String != "alive" }, "\(workers)")
        #expect(value("mapreduce_workers_alive") == 0, "the page's count of live workers")
        #expect(metrics.contains(#"mapreduce_http_requests_total{route="/v1/complete",status="200"}"#), "\(metrics)")
        if let promtool = Self.tool("promtool") {
            let directory = try TemporaryDirectory()
            let file = try directory.write("metrics.txt", metrics)
            let check = try ChildProcess("/bin/sh", ["-c", "\(promtool) check metrics < \(file)"], errorLog: directory.appending("promtool.log"))
            #expect(try check.waitForExit(timeout: .seconds(30)) == 0, "promtool: \(check.standardOutput) \(check.standardError)")
        } else {
            print("skipped: promtool (Debian's prometheus package) is not installed; scripts/test.sh installs it")
        }

        // The page, in a real browser.
        let page = try get(cluster, "/")
        #expect(page.status == 200)
        #expect(!page.body.contains("<script"), "the page needs no script")
        #expect(!page.body.contains("disk <on> fire"), "user text is escaped")
        let (chromium, reason) = try Self.runnableChromium(in: cluster.directory)
        if let chromium {
            try FileManager.default.createDirectory(atPath: Self.artifacts, withIntermediateDirectories: true)
            let screenshot = "\(Self.artifacts)/status-page.png"
            try? FileManager.default.removeItem(atPath: screenshot)
            let flags = Self.chromiumFlags + ["--user-data-dir=\(cluster.directory.appending("chromium"))"]
            let dom = try ChildProcess(chromium, flags + ["--dump-dom", cluster.url + "/"], errorLog: cluster.directory.appending("chromium-dom.log"))
            #expect(try dom.waitForExit(timeout: .seconds(60)) == 0, "\(dom.standardError)")
            let html = dom.standardOutput
            #expect(html.contains("probe-word-count"))
            #expect(html.contains(#"id="phase">succeeded<"#))
            let status = try JSONSerialization.jsonObject(with: Data(try get(cluster, "/v1/status").body.utf8)) as? [String: Any] ?? [:]
            let maps = (status["maps"] as? [String: Int])?["committed"] ?? -1
            #expect(html.contains("<td>\(maps) of \(summary.mapTasks)</td>"), "map tasks as /v1/status counts them")
            #expect(html.contains("disk &lt;on&gt; fire"), "a failed attempt's message")
            #expect(!dom.standardError.contains("Uncaught"), "no script errors: \(dom.standardError)")
            let shot = try ChildProcess(
                chromium, flags + ["--screenshot=\(screenshot)", "--window-size=412,1600", cluster.url + "/"],
                errorLog: cluster.directory.appending("chromium-shot.log"))
            #expect(try shot.waitForExit(timeout: .seconds(60)) == 0)
            #expect(FileManager.default.fileExists(atPath: screenshot), "the screenshot is kept in \(Self.artifacts)")
        } else {
            print("skipped: the page in a browser: \(reason)")
        }

        // The coordinator stops on a signal; `report` renders the page again from the history alone.
        cluster.coordinator.send(SIGTERM)
        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(10)) == 0)
        let report = try ChildProcess(
            "\(Cluster.binaryDirectory)/mr-testbed", ["report", cluster.output], errorLog: cluster.directory.appending("report.log"))
        #expect(try report.waitForExit(timeout: .seconds(30)) == 0)
        #expect(report.standardOutput.contains(#"id="phase">succeeded<"#))
        #expect(report.standardOutput.contains("disk &lt;on&gt; fire"))
        #expect(report.standardOutput.contains("<td>\(summary.mapTasks) of \(summary.mapTasks)</td>"))
        // The shipped coordinator renders it too, as the README says (it answered "Missing expected argument").
        let shipped = try ChildProcess(
            "\(Cluster.binaryDirectory)/mr-coordinator", ["report", cluster.output], errorLog: cluster.directory.appending("shipped-report.log"))
        #expect(try shipped.waitForExit(timeout: .seconds(30)) == 0, "\(shipped.standardError)")
        #expect(shipped.standardOutput == report.standardOutput)
        let missing = try ChildProcess(
            "\(Cluster.binaryDirectory)/mr-coordinator", ["report", cluster.directory.appending("nowhere")],
            errorLog: cluster.directory.appending("missing-report.log"))
        #expect(try missing.waitForExit(timeout: .seconds(30)) == 64)
        #expect(missing.standardError.hasPrefix("mr-coordinator report: "), "\(missing.standardError)")
    }

    @Test func aSecretGuardsTheReadOnlyViewsToo() throws {
        let cluster = try Cluster(.testbed)
        let directory = try TemporaryDirectory()
        let secret = try directory.write("secret", "s3cret\n")
        try cluster.startCoordinator(job: "word-count", reducers: 1, inputs: DistributedRunTests.examples, extra: ["--secret-file", secret, "--quiet"])
        for path in ["/", "/v1/job", "/metrics", "/v1/status"] {
            #expect(try get(cluster, path).status == 401, "\(path) without the secret")
        }
        let connection = try Connection(to: cluster)
        connection.send("GET / HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic \(Data("anyone:s3cret".utf8).base64EncodedString())\r\n\r\n")
        #expect(try connection.readAnswer().status == 200, "the secret as a browser's password")
        cluster.coordinator.send(SIGTERM)
        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(10)) == 2)
    }

    /// HTTP drops the spaces around a header's value, so a secret file ending in a space gave the worker a bearer
    /// token that no longer matched the coordinator's secret (401); random bytes cannot go into a header at all, and
    /// the worker printed them. Every side now reads the file the same way, and a secret that is not text is refused
    /// at once without being shown.
    @Test func aSecretFileReadsTheSameOnEverySideAndABinaryOneIsRefusedUnshown() throws {
        let cluster = try Cluster(.testbed)
        let directory = try TemporaryDirectory()
        let spaced = try directory.write("spaced", "hunter2 \n")
        try cluster.startCoordinator(job: "word-count", reducers: 1, inputs: DistributedRunTests.examples, extra: ["--secret-file", spaced, "--quiet"])
        let binary = directory.appending("binary")
        #expect(FileManager.default.createFile(atPath: binary, contents: Data([0x41, 0x9F, 0x00, 0xFF, 0x7F, 0x42])))
        let refused = try cluster.startWorker(extra: ["--secret-file", binary])
        #expect(try refused.waitForExit(timeout: .seconds(20)) == 64)
        #expect(refused.standardError.contains("--secret-file '\(binary)' holds a byte that is not printable ASCII (at offset 1)"), "\(refused.standardError)")
        #expect(!refused.standardError.contains("A\u{FFFD}"), "the secret is never shown")
        try cluster.startWorker(extra: ["--secret-file", spaced])
        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(60)) == 0, "\(cluster.logs)")
    }
}
