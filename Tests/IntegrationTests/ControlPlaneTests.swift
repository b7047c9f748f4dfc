import Foundation
import Jobs
import MapReduce
import MapReduceRuntime
import MapReduceTesting
import Testing

/// The coordinator's HTTP server against hostile or merely numerous clients: connections that never finish their
/// headers, and many idle long polls. Real processes, raw sockets.
@Suite(.serialized) struct ControlPlaneTests {
    /// The coordinator's CPU time so far, in seconds.
    func cpuSeconds(_ pid: Int32) -> Double {
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        guard let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return (Double(fields[11]) ?? 0) / 100 + (Double(fields[12]) ?? 0) / 100
    }

    func openDescriptors(_ pid: Int32) -> Int { ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []).count }

    /// Today's bugs against the real executables: impersonation, a completion naming its own files, a completion
    /// without a result or of the wrong kind, and an overflowing count. Each is refused, nothing is journaled, and
    /// the job still ends with the exact output.
    @Test func forgedRequestsToARealCoordinatorAreRefusedAndChangeNothing() throws {
        let cluster = try Cluster(.testbed)
        try cluster.startCoordinator(job: "word-count", reducers: 1, inputs: DistributedRunTests.examples, extra: ["--lease-timeout", "2"])
        let connection = try Connection(to: cluster)
        func register(_ name: String) throws -> (id: String, credential: String) {
            let registration = try JSONDecoder().decode(
                Registration.self, from: Data(try connection.request("POST", "/v1/register", body: #"{"name":"\#(name)"}"#).utf8))
            return (registration.worker.rawValue, registration.credential)
        }
        func status(_ method: String, _ path: String, _ body: String, _ bearer: String?) throws -> String {
            let answer = try Connection(to: cluster)
            answer.sendRequest(method, path, body: body, bearer: bearer)
            return String(try answer.readAnswer().status)
        }
        let a = try register("a")
        let b = try register("b")
        let assignment = try JSONDecoder().decode(
            TaskAssignment.self,
            from: Data(try connection.request("POST", "/v1/task", body: #"{"worker":"\#(a.id)"}"#, bearer: a.credential).utf8))
        let attempt = try #require(assignment.attempt).rawValue
        let file = #"{"path":"/etc/passwd","bytes":41,"records":0,"checksum":0}"#
        let map = #""map":{"file":\#(file),"inputBytes":1,"inputRecords":1,"emittedRecords":1,"spills":0}"#
        let forgedCredential = "0." + String(repeating: "0", count: 64)
        let cases: [(String, String, String?, String)] = [
            ("/v1/fail", #"{"worker":"\#(a.id)","attempt":\#(attempt),"error":"x"}"#, nil, "401"),
            ("/v1/fail", #"{"worker":"\#(a.id)","attempt":\#(attempt),"error":"x"}"#, forgedCredential, "401"),
            ("/v1/fail", #"{"worker":"\#(a.id)","attempt":\#(attempt),"error":"x"}"#, b.credential, "403"),
            ("/v1/complete", #"{"worker":"\#(a.id)","attempt":\#(attempt),\#(map)}"#, a.credential, "400"),
            ("/v1/complete", #"{"worker":"\#(a.id)","attempt":\#(attempt)}"#, a.credential, "400"),
            (
                "/v1/complete", #"{"worker":"\#(a.id)","attempt":\#(attempt),"reduce":{"path":"/x","records":0,"inputRecords":0,"bytes":9223372036854775807}}"#,
                a.credential, "400"
            ),
            ("/v1/complete", #"{"worker":"\#(b.id)","attempt":\#(attempt),\#(map)}"#, b.credential, "404"),
        ]
        for (path, body, bearer, expected) in cases {
            #expect(try status("POST", path, body, bearer) == expected, "\(path) \(body)")
        }
        let jobs = "\(cluster.shared)/jobs"
        let journal = try String(
            contentsOfFile: "\(jobs)/\(try #require(FileManager.default.contentsOfDirectory(atPath: jobs).first))/journal", encoding: .utf8)
        #expect(!journal.contains("committed"), "nothing was journaled: \(journal)")
        try cluster.startWorker()
        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(60)) == 0, "\(cluster.logs)")
        let oracle = try TemporaryDirectory(prefix: "oracle")
        try SequentialRunner(configuration: .init(reducers: 1)).run(wordCount, inputs: DistributedRunTests.examples, output: oracle.appending("o"))
        #expect(try JobOutput(directory: cluster.output).firstDifference(from: JobOutput(directory: oracle.appending("o"))) == nil)
    }

    /// Today's bug: 900 connections that never finished their headers used up the coordinator's descriptors and
    /// made it spin at 100% of a core.
    @Test func connectionsThatNeverFinishTheirHeadersAreCappedAndClosed() throws {
        let cluster = try Cluster(.testbed)
        try cluster.startCoordinator(
            job: "word-count", reducers: 1, inputs: DistributedRunTests.examples, extra: ["--max-connections", "64", "--idle-timeout", "4"])
        let pid = cluster.coordinator.pid
        let baseline = openDescriptors(pid)
        let cpuBefore = cpuSeconds(pid)
        let connections = try (0..<300).map { _ in try Connection(to: cluster) }
        for connection in connections { connection.send("POST /v1/task HTTP/1.1\r\nHost: localhost\r\nContent-Le") }
        // Connections past the cap are accepted and closed at once: the count settles at the cap while the others
        // still hold their connections (the idle timeout is 4 s).
        try ChildProcess.waitUntil("the coordinator's open descriptors to settle within the cap", timeout: .seconds(2)) {
            openDescriptors(pid) <= baseline + 64 + 8 ? true : nil
        }
        try ChildProcess.waitUntil("every half-open connection to be closed by the coordinator", timeout: .seconds(12)) {
            connections.allSatisfy(\.isClosedByServer) ? true : nil
        }
        #expect(openDescriptors(pid) <= baseline + 2, "their descriptors are released")
        #expect(cpuSeconds(pid) - cpuBefore < 1.5, "the coordinator did not spin")
        try cluster.startWorker()
        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(60)) == 0, "\(cluster.logs)")
    }

    /// A client that sends a request's body very slowly is cut off by the request timeout, not served forever.
    @Test func aRequestWhoseBodyTricklesInIsCutOff() throws {
        let cluster = try Cluster(.testbed)
        try cluster.startCoordinator(
            job: "word-count", reducers: 1, inputs: DistributedRunTests.examples, extra: ["--request-timeout", "2", "--idle-timeout", "1"])
        let connection = try Connection(to: cluster)
        connection.send("POST /v1/register HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
        let clock = ContinuousClock()
        let start = clock.now
        // One byte every 0.5 s keeps the connection from being idle; the request timeout still ends it.
        try ChildProcess.waitUntil("the coordinator to close the trickling connection", timeout: .seconds(10)) { () -> Bool? in
            if connection.isClosedByServer { return true }
            connection.send(" ")
            Thread.sleep(forTimeInterval: 0.5)
            return nil
        }
        #expect(clock.now - start < .seconds(5), "closed after about 2 s")
        try cluster.startWorker()
        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(60)) == 0, "\(cluster.logs)")
    }

    /// Today's bug: every lease tick woke every long poll, so 200 idle pollers cost a quarter of a core.
    @Test func idleLongPollsCostNothingBetweenChanges() throws {
        let cluster = try Cluster(.testbed)
        // One map task that takes 8 s, so every other poller waits.
        try cluster.startCoordinator(job: "probe-word-count", reducers: 1, inputs: [DistributedRunTests.examples[0]], extra: ["--lease-timeout", "2"])
        try cluster.startWorker(environment: ["MR_PROBE_MAP_SLEEP_MS": "8000"])
        try ChildProcess.waitUntil("the map task to be running", timeout: .seconds(30)) {
            cluster.coordinator.standardError.contains("assigned") ? true : nil
        }
        let pollers = try (0..<200).map { index -> Connection in
            let connection = try Connection(to: cluster)
            let registration = try JSONDecoder().decode(
                Registration.self, from: Data(try connection.request("POST", "/v1/register", body: #"{"name":"poller-\#(index)"}"#).utf8))
            connection.sendRequest("POST", "/v1/task", body: #"{"worker":"\#(registration.worker.rawValue)"}"#, bearer: registration.credential)
            return connection
        }
        let pid = cluster.coordinator.pid
        let before = cpuSeconds(pid)
        let clock = ContinuousClock()
        let start = clock.now
        try ChildProcess.waitUntil("3 s of waiting pollers", timeout: .seconds(10)) { clock.now - start >= .seconds(3) ? true : nil }
        let used = cpuSeconds(pid) - before
        print("200 idle pollers: the coordinator used \(used) s of CPU in 3 s")
        // Waking them on every lease tick cost 0.12 s here (a debug build); waking them only on a change, 0.02 s.
        #expect(used < 0.06, "200 idle pollers cost \(used) s of CPU in 3 s")
        withExtendedLifetime(pollers) {}
        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(60)) == 0, "\(cluster.logs)")
    }
}
