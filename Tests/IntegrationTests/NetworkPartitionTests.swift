import FaultInjection
import Foundation
import Jobs
import MapReduce
import MapReduceTesting
import Testing

/// A worker on another "host" (its own network namespace) cut off in the middle of a task. Needs root and
/// iproute2 (`scripts/test.sh` installs it); skipped, saying so, where namespaces cannot be created.
@Suite(.serialized, .enabled(if: NetworkNamespace.isAvailable, "network namespaces need root and iproute2 (ip)"))
struct NetworkPartitionTests {
    @Test func partitionedWorkersTaskRunsElsewhereAndItsLateResultIsDropped() throws {
        let host = try NetworkNamespace()
        let cluster = try Cluster(.testbed)
        let inputs = DistributedRunTests.examples
        let probes = cluster.directory.appending("probes")
        try FileManager.default.createDirectory(atPath: probes, withIntermediateDirectories: true)
        let secret = "partition-\(UInt32.random(in: 0...UInt32.max))"
        // Speculation off: otherwise the cut-off task is backed up as a straggler before its lease expires, and this
        // test is about the lease.
        let (certificate, key) = try TLSTests.makeCertificate(in: cluster.directory, name: "coordinator", addresses: [host.hostAddress])
        try cluster.startCoordinator(
            job: "probe-word-count", reducers: 2, inputs: inputs,
            extra: [
                "--split-size", "1KiB", "--lease-timeout", "2", "--no-speculation", "--host", host.hostAddress, "--secret", secret, "--tls-certificate",
                certificate, "--tls-key", key,
            ])
        #expect(cluster.url.hasPrefix("https://\(host.hostAddress):"))

        // The remote worker takes the first map task and stays in it for 4 s.
        let remote = try cluster.startWorker(
            environment: ["MR_PROBE_DIR": probes, "MR_PROBE_MAP_SLEEP_MS": "4000"],
            extra: ["--secret", secret, "--grace-period", "60", "--tls-ca", certificate],
            in: host)
        try ChildProcess.waitUntil("the remote worker to start a map call", timeout: .seconds(30)) {
            try FileManager.default.contentsOfDirectory(atPath: probes).first { $0.hasPrefix("map-started-") }
        }
        try host.cut()
        // A local worker does everything else, slowly enough in the reduce phase that the job is still running
        // when the link comes back and the remote worker reports its stale map.
        let local = try cluster.startWorker(environment: ["MR_PROBE_REDUCE_SLEEP_MS": "60"], extra: ["--secret", secret, "--tls-ca", certificate])
        do {
            try ChildProcess.waitUntil("the remote worker's lease to expire", timeout: .seconds(30)) {
                cluster.coordinator.standardError.contains("attempt lost; re-queued") ? true : nil
            }
        } catch {
            Issue.record("\(cluster.logs)")
            throw error
        }
        try host.restore()

        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(90)) == 0, "\(cluster.logs)")
        #expect(try local.waitForExit(timeout: .seconds(30)) == 0)
        #expect(try remote.waitForExit(timeout: .seconds(60)) == 0, "the remote worker carried on and exited cleanly: \(cluster.logs)")
        // Back on the network, its next heartbeat tells it the attempt is lost, and it cancels it; if the attempt
        // finished first, its late completion is rejected. Either way its result is not committed.
        #expect(
            remote.standardError.contains("attempt abandoned and cancelled") || remote.standardError.contains("mr.accepted=false"),
            "its late result was dropped: \(remote.standardError)")
        let oracle = try TemporaryDirectory(prefix: "oracle")
        try SequentialRunner(configuration: .init(reducers: 2)).run(probeWordCount, inputs: inputs, output: oracle.appending("o"))
        #expect(try JobOutput(directory: cluster.output).firstDifference(from: JobOutput(directory: oracle.appending("o"))) == nil)
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(cluster.output)/_summary.json"))) as! [String: Any]
        #expect((summary["mapAttempts"] as! Int) > (summary["mapTasks"] as! Int), "the cut-off task ran again elsewhere")
    }

    @Test func aWorkerWithoutTheSharedSecretIsRefused() throws {
        let host = try NetworkNamespace()
        let cluster = try Cluster(.testbed)
        let (certificate, key) = try TLSTests.makeCertificate(in: cluster.directory, name: "coordinator", addresses: [host.hostAddress])
        try cluster.startCoordinator(
            job: "word-count", reducers: 1, inputs: DistributedRunTests.examples,
            extra: ["--host", host.hostAddress, "--secret", "right", "--tls-certificate", certificate, "--tls-key", key])
        let wrong = try cluster.startWorker(extra: ["--secret", "wrong", "--grace-period", "5", "--tls-ca", certificate], in: host)
        #expect(try wrong.waitForExit(timeout: .seconds(30)) == 1)
        #expect(wrong.standardError.contains("401"), "\(wrong.standardError)")
        #expect(wrong.standardError.contains("shared secret"), "\(wrong.standardError)")
        let none = try cluster.startWorker(extra: ["--grace-period", "5", "--tls-ca", certificate])
        #expect(try none.waitForExit(timeout: .seconds(30)) == 1)
        try cluster.startWorker(extra: ["--secret", "right", "--tls-ca", certificate], in: host)
        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(60)) == 0, "\(cluster.logs)")
    }
}
