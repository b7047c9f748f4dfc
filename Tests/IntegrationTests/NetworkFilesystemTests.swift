import FaultInjection
import Foundation
import Jobs
import MapReduce
import MapReduceTesting
import Testing

/// Workers on other "hosts" that see the shared directory only through a real network filesystem: each runs in a
/// network namespace of its own, on a veth link, in a mount namespace where the shared directory is an sshfs
/// (FUSE) mount of the coordinator host's, served by an sshd the test starts on its own link address. Needs root,
/// iproute2, sshd, sshfs and /dev/fuse (`scripts/test.sh` installs them); skipped, saying so, otherwise.
@Suite(
    .serialized,
    .enabled(
        if: NetworkNamespace.isAvailable && SSHFileServer.isAvailable,
        "needs root, iproute2, openssh-server, sshfs, unshare and /dev/fuse (scripts/ensure-deps.sh installs them as root)")
)
struct NetworkFilesystemTests {
    /// Two worker hosts, and the coordinator host's file server and coordinator on the address of a third link that
    /// no test cuts (an address on a link that is down is unreachable from every link); each worker host reaches
    /// it through its own.
    struct Hosts {
        let first: NetworkNamespace
        let second: NetworkNamespace
        let coordinatorLink: NetworkNamespace
        let server: SSHFileServer

        /// - Parameter refusing: SFTP requests the file server refuses.
        init(refusing: [String] = []) throws {
            first = try NetworkNamespace()
            second = try NetworkNamespace()
            coordinatorLink = try NetworkNamespace()
            try first.route(to: coordinatorLink.hostAddress)
            try second.route(to: coordinatorLink.hostAddress)
            server = try SSHFileServer(address: coordinatorLink.hostAddress, refusing: refusing)
        }

        /// Starts `cluster`'s coordinator on the coordinator host's address, with a secret and TLS (as off loopback
        /// it must); returns the arguments a worker needs.
        func startCoordinator(_ cluster: Cluster, job: String, reducers: Int, inputs: [String], extra: [String]) throws -> [String] {
            let secret = "network-filesystem-\(UInt32.random(in: 0...UInt32.max))"
            let (certificate, key) = try TLSTests.makeCertificate(in: cluster.directory, name: "coordinator", addresses: [coordinatorLink.hostAddress])
            try cluster.startCoordinator(
                job: job, reducers: reducers, inputs: inputs,
                extra: extra + ["--host", coordinatorLink.hostAddress, "--secret", secret, "--tls-certificate", certificate, "--tls-key", key])
            return ["--secret", secret, "--tls-ca", certificate, "--grace-period", "60"]
        }

        /// Starts a worker on `host` whose shared directory is an sshfs mount called `mount`.
        @discardableResult
        func startWorker(
            _ cluster: Cluster, on host: NetworkNamespace, mount: String, credentials: [String], environment: [String: String] = [:]
        ) throws -> ChildProcess {
            try cluster.startWorker(
                environment: environment, extra: credentials, wrapper: server.mountingWrapper(shared: cluster.shared, in: host, name: mount))
        }
    }

    /// Copies `files` into `<shared>/input`, so that workers read them over the network too.
    static func copyIntoShared(_ files: [String], _ cluster: Cluster) throws -> [String] {
        let directory = "\(cluster.shared)/input"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return try files.map { file in
            let copy = "\(directory)/\((file as NSString).lastPathComponent)"
            try FileManager.default.copyItem(atPath: file, toPath: copy)
            return copy
        }
    }

    /// Word count (as `probe-word-count`, whose output is word count's) and sort, each by a worker on each host. The
    /// word count holds every worker inside its first map call (the probe's `hold-maps`) until both hosts have
    /// started one, so both work whatever their mounts cost: before, under load, the second host's worker mounted
    /// after the first had done the whole job.
    @Test func wordCountAndSortOverSSHFSEqualTheSequentialRunner() throws {
        let hosts = try Hosts()
        let records = try TemporaryDirectory(prefix: "sort-records")
        let runs: [(job: AnyJob, name: String, inputs: [String], configuration: JobConfiguration)] = [
            (AnyJob(wordCount), "probe-word-count", DistributedRunTests.examples, JobConfiguration(reducers: 3, splitSize: 256)),
            (
                AnyJob(sort), "sort", try SortRecords.write(to: records.path, files: 3, records: 6_000, seed: 7),
                JobConfiguration(reducers: 2, splitSize: 128 << 10)
            ),
        ]
        for run in runs {
            let cluster = try Cluster(.testbed)
            let inputs = try Self.copyIntoShared(run.inputs, cluster)
            let probes = try TemporaryDirectory(prefix: "probes")
            let held = run.name == "probe-word-count"
            if held { try Data().write(to: URL(fileURLWithPath: probes.appending("hold-maps"))) }
            let credentials = try hosts.startCoordinator(
                cluster, job: run.name, reducers: run.configuration.reducers, inputs: inputs, extra: ["--split-size", "\(run.configuration.splitSize)"])
            let environment = ["MR_PROBE_DIR": probes.path]
            let workers = [
                try hosts.startWorker(cluster, on: hosts.first, mount: "first-\(run.name)", credentials: credentials, environment: environment),
                try hosts.startWorker(cluster, on: hosts.second, mount: "second-\(run.name)", credentials: credentials, environment: environment),
            ]
            if held {
                // Each worker runs one attempt at a time and waits inside its first recorded map call: two started
                // calls are one on each host (their process ids are of their own pid namespaces, so not compared).
                try ChildProcess.waitUntil("a map call started by each host's worker", timeout: .seconds(120)) { () -> Bool? in
                    let names = (try? FileManager.default.contentsOfDirectory(atPath: probes.path)) ?? []
                    return names.count { $0.hasPrefix("map-started-") } >= 2 ? true : nil
                }
                try FileManager.default.removeItem(atPath: probes.appending("hold-maps"))
            }
            #expect(try cluster.coordinator.waitForExit(timeout: .seconds(120)) == 0, "\(cluster.logs)")
            #expect(try cluster.firstDifference(fromOracle: run.job, inputs: inputs, configuration: run.configuration) == nil, "\(run.name)")
            #expect(try JobOutput(directory: cluster.output).succeeded)
            for worker in workers {
                #expect(try worker.waitForExit(timeout: .seconds(30)) == 0, "\(cluster.logs)")
                if held { #expect(worker.standardError.contains("attempt done"), "both hosts worked: \(worker.standardError)") }
            }
        }
    }

    @Test func aHostCutOffMidTaskAndAWorkerWhoseMountWentAwayStillGiveExactOutput() throws {
        let hosts = try Hosts()
        let cluster = try Cluster(.testbed)
        let inputs = try Self.copyIntoShared(DistributedRunTests.examples, cluster)
        let credentials = try hosts.startCoordinator(
            cluster, job: "probe-word-count", reducers: 2, inputs: inputs, extra: ["--split-size", "1KiB", "--lease-timeout", "2", "--no-speculation"])

        // The first host's worker takes a map task and stays in it for 4 s; its link is cut meanwhile.
        let probes = cluster.directory.appending("probes")
        try FileManager.default.createDirectory(atPath: probes, withIntermediateDirectories: true)
        try hosts.startWorker(
            cluster, on: hosts.first, mount: "cut-off", credentials: credentials, environment: ["MR_PROBE_DIR": probes, "MR_PROBE_MAP_SLEEP_MS": "4000"])
        do {
            try ChildProcess.waitUntil("the first host's worker to start a map call", timeout: .seconds(30)) {
                try FileManager.default.contentsOfDirectory(atPath: probes).first { $0.hasPrefix("map-started-") }
            }
        } catch {
            Issue.record("\(cluster.logs)")
            throw error
        }
        try hosts.first.cut()

        // On the second host, one worker loses its mount in the middle of a task; another does the rest.
        let slow = cluster.directory.appending("slow-probes")
        try FileManager.default.createDirectory(atPath: slow, withIntermediateDirectories: true)
        let unmounted = try hosts.startWorker(
            cluster, on: hosts.second, mount: "goes-away", credentials: credentials, environment: ["MR_PROBE_DIR": slow, "MR_PROBE_MAP_SLEEP_MS": "300"])
        do {
            try ChildProcess.waitUntil("the second host's first worker to start an attempt", timeout: .seconds(30)) {
                unmounted.standardError.contains("attempt started") ? true : nil
            }
        } catch {
            Issue.record("\(cluster.logs)")
            throw error
        }
        try hosts.server.killMount(named: "goes-away")
        try hosts.startWorker(cluster, on: hosts.second, mount: "healthy", credentials: credentials)

        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(120)) == 0, "\(cluster.logs)")
        let configuration = JobConfiguration(reducers: 2, splitSize: 1 << 10)
        #expect(try cluster.firstDifference(fromOracle: AnyJob(probeWordCount), inputs: inputs, configuration: configuration) == nil)
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(cluster.output)/_summary.json"))) as! [String: Any]
        #expect((summary["lostAttempts"] as! Int) >= 1, "the cut-off host's attempt was lost and run again: \(summary)")
        #expect((summary["mapAttempts"] as! Int) > (summary["mapTasks"] as! Int), "\(summary)")
        // The worker without its mount failed the attempt it was in, then stopped instead of failing more.
        #expect(try unmounted.waitForExit(timeout: .seconds(30)) == 1)
        #expect(unmounted.standardError.contains("is unusable here (Transport endpoint is not connected); taking no more tasks"), "\(unmounted.standardError)")
        #expect(unmounted.standardError.components(separatedBy: "attempt failed").count - 1 == 1, "\(unmounted.standardError)")
    }

    /// A shared directory mounted from a server that refuses renames, like an object-store mount: the worker
    /// refuses to start, naming the operation, instead of failing every task.
    @Test func aSharedDirectoryThatCannotRenameIsRefusedAtStart() throws {
        let hosts = try Hosts(refusing: ["rename", "posix-rename"])
        let cluster = try Cluster(.testbed)
        let credentials = try hosts.startCoordinator(cluster, job: "word-count", reducers: 1, inputs: DistributedRunTests.examples, extra: [])
        let worker = try hosts.startWorker(cluster, on: hosts.first, mount: "cannot-rename", credentials: credentials)
        #expect(try worker.waitForExit(timeout: .seconds(30)) == 64)
        #expect(
            worker.standardError.contains("cannot rename a file within it (Permission denied), as seen by this worker"),
            "\(worker.standardError)")
        #expect(!worker.standardError.contains("registered"), "it stopped before registering")
    }
}
