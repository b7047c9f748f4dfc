import Hummingbird
public import HummingbirdCore
import HummingbirdTLS
import NIOCore
import NIOPosix
import NIOSSL

/// How the coordinator's HTTP server treats connections: bounded in number, closed when idle, and over TLS when
/// given a certificate.
public enum CoordinatorServer {
    /// The default cap on open connections: 512, half the usual file descriptor limit.
    public static let defaultMaximumConnections = 512
    /// The default idle timeout: a connection that sends no complete request head for this long (one that never
    /// finishes its headers, or a kept-alive one with nothing to ask) is closed. Requests being answered (a long
    /// poll) are not idle.
    public static let defaultIdleTimeout = Duration.seconds(10)
    /// The default request timeout: once a request's head has arrived, its body must arrive within this.
    public static let defaultRequestTimeout = Duration.seconds(30)

    /// The certificate chain and private key a coordinator serves TLS with, as PEM files.
    public struct TLSFiles: Sendable {
        /// The certificate chain (the coordinator's certificate first).
        public var certificateChain: String
        /// The private key.
        public var privateKey: String

        /// Names the files.
        public init(certificateChain: String, privateKey: String) {
            self.certificateChain = certificateChain
            self.privateKey = privateKey
        }
    }

    /// An HTTP/1.1 server with a connection cap, an idle timeout and a request timeout, over TLS (1.2 or later) if
    /// `tls` is given.
    /// - Throws: if the certificate or key cannot be read, or the key is not the certificate's (checked now, by
    ///   making the TLS context, not when the server starts).
    public static func http1(
        maximumConnections: Int = defaultMaximumConnections, idleTimeout: Duration = defaultIdleTimeout,
        requestTimeout: Duration = defaultRequestTimeout, tls: TLSFiles? = nil
    ) throws -> HTTPServerBuilder {
        let limit = ConnectionLimit(limit: maximumConnections)
        func amount(_ duration: Duration) -> TimeAmount {
            .milliseconds(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
        }
        let requestAmount = amount(requestTimeout)
        let plain = HTTPServerBuilder.http1(
            configuration: .init(
                additionalChannelHandlers: [limit.handler(), RequestTimeout(timeout: requestAmount)], idleTimeout: amount(idleTimeout)))
        guard let tls else { return plain }
        let chain = try NIOSSLCertificate.fromPEMFile(tls.certificateChain).map { NIOSSLCertificateSource.certificate($0) }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: tls.privateKey, format: .pem)))
        configuration.minimumTLSVersion = .tlsv12
        _ = try NIOSSLContext(configuration: configuration)
        return try .tls(plain, tlsConfiguration: configuration)
    }

    /// Checks that a server can listen on `host`:`port` now (the address is this machine's, the port free), by
    /// binding a socket there and closing it, so that a coordinator refuses a bad `--host` or a taken `--port`
    /// before it creates its job's files.
    /// - Throws: the system's error.
    public static func checkAddress(host: String, port: Int) async throws {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port).get()
        try await channel.close()
    }
}
