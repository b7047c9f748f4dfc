import Foundation
import Jobs
import MapReduce
import MapReduceTesting
import Testing

/// The control plane over TLS: workers check the coordinator's certificate before sending anything, and a
/// coordinator off loopback refuses to serve in clear.
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"), "needs openssl(1) to make certificates"))
struct TLSTests {
    /// A self-signed certificate for `addresses`, with its key: `(certificate, key)` paths.
    static func makeCertificate(in directory: TemporaryDirectory, name: String, addresses: [String]) throws -> (String, String) {
        let certificate = directory.appending("\(name).pem")
        let key = directory.appending("\(name)-key.pem")
        let openssl = try ChildProcess(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", certificate, "-days", "1",
                "-subj", "/CN=\(name)", "-addext", "subjectAltName=" + addresses.map { "IP:\($0)" }.joined(separator: ","),
            ], errorLog: directory.appending("\(name)-openssl.log"))
        #expect(try openssl.waitForExit(timeout: .seconds(30)) == 0, "\(openssl.standardError)")
        return (certificate, key)
    }

    @Test func aJobRunsOverTLSWithTheSecretFromAFile() throws {
        let cluster = try Cluster()
        let (certificate, key) = try Self.makeCertificate(in: cluster.directory, name: "coordinator", addresses: ["127.0.0.1"])
        let secret = try cluster.directory.write("secret", "s3cret-\(UInt64.random(in: 0...UInt64.max))\n")
        try cluster.startCoordinator(
            job: "word-count", reducers: 2, inputs: DistributedRunTests.examples,
            extra: ["--tls-certificate", certificate, "--tls-key", key, "--secret-file", secret])
        #expect(cluster.url.hasPrefix("https://127.0.0.1:"))
        for _ in 0..<2 { try cluster.startWorker(extra: ["--tls-ca", certificate, "--secret-file", secret]) }
        #expect(try cluster.coordinator.waitForExit(timeout: .seconds(60)) == 0, "\(cluster.logs)")
        let oracle = try TemporaryDirectory(prefix: "oracle")
        try SequentialRunner(configuration: .init(reducers: 2)).run(wordCount, inputs: DistributedRunTests.examples, output: oracle.appending("o"))
        #expect(try JobOutput(directory: cluster.output).firstDifference(from: JobOutput(directory: oracle.appending("o"))) == nil)
        #expect(!cluster.logs.contains("s3cret-"), "the secret is in no log")
    }

    /// Today's bug: a worker trusted whatever answered at the coordinator's URL, and sent it the secret.
    @Test func aWorkerRefusesACoordinatorWhoseCertificateItDoesNotTrust() throws {
        let cluster = try Cluster()
        let (certificate, key) = try Self.makeCertificate(in: cluster.directory, name: "impostor", addresses: ["127.0.0.1"])
        let (trusted, _) = try Self.makeCertificate(in: cluster.directory, name: "real", addresses: ["127.0.0.1"])
        try cluster.startCoordinator(
            job: "word-count", reducers: 1, inputs: DistributedRunTests.examples, extra: ["--tls-certificate", certificate, "--tls-key", key])
        let worker = try cluster.startWorker(extra: ["--tls-ca", trusted, "--grace-period", "2"])
        #expect(try worker.waitForExit(timeout: .seconds(30)) == 1)
        #expect(worker.standardError.lowercased().contains("certificate"), "\(worker.standardError)")
        let status = try cluster.coordinator.waitForLine(containing: "listening", timeout: .seconds(1))
        #expect(!status.isEmpty)
        #expect(!cluster.coordinator.standardError.contains("worker registered"), "the worker sent nothing it could act on")
    }

    @Test func aCoordinatorOffLoopbackWithoutTLSIsRefused() throws {
        let directory = try TemporaryDirectory()
        let secret = try directory.write("secret", "s\n")
        let coordinator = try ChildProcess(
            "\(Cluster.binaryDirectory)/mr-coordinator",
            [
                "--job", "word-count", "--host", "0.0.0.0", "--secret-file", secret, "--shared-dir", directory.appending("shared"), "--output",
                directory.appending("out"),
            ] + DistributedRunTests.examples, errorLog: directory.appending("c.log"))
        #expect(try coordinator.waitForExit(timeout: .seconds(20)) == 64)
        #expect(coordinator.standardError.contains("binding to 0.0.0.0 needs TLS"), "\(coordinator.standardError)")
    }
}
