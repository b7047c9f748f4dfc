public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOSSL
public import MapReduce

/// Talks to the coordinator's `/v1` API over HTTP/1.1 with JSON bodies.
public struct CoordinatorClient: Sendable {
    /// The coordinator's base URL, for example `http://127.0.0.1:8080`.
    public let baseURL: String
    let client: HTTPClient
    /// What requests carry as `Authorization: Bearer …`: the cluster's shared secret (to register) or the worker's
    /// credential (for everything else).
    let bearer: String?

    /// An HTTP client for talking to a coordinator: a refused connection fails at once (the worker retries with
    /// its own backoff and grace period) instead of being retried until the request's deadline.
    public static let httpClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(2)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// An HTTP client that talks TLS only to a coordinator whose certificate chains to the certificates in
    /// `trustedCertificates` (a PEM file: the cluster's CA, or the coordinator's own certificate to pin it), with
    /// the coordinator's name or address checked against its certificate.
    public static func httpClient(trusting trustedCertificates: String) throws -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(2)
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(trustedCertificates))
        tls.minimumTLSVersion = .tlsv12
        configuration.tlsConfiguration = tls
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Creates a client of the coordinator at `baseURL`, sending `bearer` (the shared secret, if any) with every
    /// request.
    public init(baseURL: String, client: HTTPClient = CoordinatorClient.httpClient, bearer: String? = nil) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.client = client
        self.bearer = bearer
    }

    /// The same client, sending `bearer` instead.
    public func sending(_ bearer: String) -> CoordinatorClient { CoordinatorClient(baseURL: baseURL, client: client, bearer: bearer) }

    /// What every answer of a coordinator says in its `Server` header.
    public static let serverName = "mr-coordinator"

    /// A reply the coordinator refused, with its status and message.
    public struct Refused: MapReduceError {
        /// The HTTP status code.
        public let status: UInt
        /// The body.
        public let body: String
        /// Always ``MapReduce/ErrorCode/refused``.
        public var code: ErrorCode { .refused }
        /// None.
        public var cause: (any Error)? { nil }
        /// The status and the body's first line, cut to 300 characters (a body is the coordinator's one-line error).
        public var message: String {
            let line = body.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            return "coordinator answered \(status): \(line.count > 300 ? String(line.prefix(300)) + "…" : line)"
        }
    }

    /// An answer from something that is not a coordinator: another service at that URL, or a coordinator of an
    /// incompatible version.
    public struct NotACoordinator: MapReduceError {
        /// The URL asked.
        public let url: String
        /// The HTTP status of the answer.
        public let status: UInt
        /// The `Server` header of the answer, if any.
        public let server: String?
        /// Always ``MapReduce/ErrorCode/refused``.
        public var code: ErrorCode { .refused }
        /// None.
        public var cause: (any Error)? { nil }
        public var message: String {
            "the server at \(url) is not a mapreduce coordinator (it answered \(status)\(server.map { " as '\($0)'" } ?? "")): "
                + "check --coordinator (the URL the coordinator printed: 'listening on …'), or run a worker of the same version"
        }
    }

    /// A transport error in words: `connection refused` where it is one, and what it means.
    public static func describe(_ error: any Error) -> String {
        if let io = error as? IOError, io.errnoCode == ECONNREFUSED {
            return "connection refused: nothing listens at that address and port"
        }
        if let error = error as? HTTPClientError, error == .connectTimeout { return "connection timed out: no host answered at that address" }
        let text = "\(error)"
        return text.contains("errno: \(ECONNREFUSED))") ? "connection refused: nothing listens at that address and port" : text
    }

    /// POSTs `body` to `path` and decodes the answer.
    public func post<Body: Encodable, Answer: Decodable>(_ path: String, _ body: Body, timeout: Duration, as: Answer.Type) async throws -> Answer {
        let data = try await send(path, body, timeout: timeout)
        return try JSONDecoder().decode(Answer.self, from: data)
    }

    /// POSTs `body` to `path`, ignoring the answer's body.
    public func post<Body: Encodable>(_ path: String, _ body: Body, timeout: Duration) async throws {
        _ = try await send(path, body, timeout: timeout)
    }

    private func send<Body: Encodable>(_ path: String, _ body: Body, timeout: Duration) async throws -> Data {
        let response = try await execute(path, body, timeout: timeout)
        let data = Data(buffer: try await response.body.collect(upTo: 16 << 20))
        try check(response, path: path, body: data)
        return data
    }

    /// POSTs `body` to `path` and holds the answer's stream open until the coordinator ends it (or the connection
    /// breaks: then it throws). The answer's head must come within `timeout`; the stream has no deadline.
    public func hold<Body: Encodable>(_ path: String, _ body: Body, timeout: Duration) async throws {
        let response = try await execute(path, body, timeout: timeout)
        guard (200..<300).contains(response.status.code) else {
            try check(response, path: path, body: Data(buffer: try await response.body.collect(upTo: 1 << 20)))
            return
        }
        for try await _ in response.body {}
    }

    /// POSTs `body` to `path` as JSON, with the bearer if any: the answer once its head has come, within `timeout`.
    private func execute<Body: Encodable>(_ path: String, _ body: Body, timeout: Duration) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(body)))
        return try await client.execute(request, timeout: .nanoseconds(Int64(timeout.components.seconds * 1_000_000_000)))
    }

    /// Throws unless `response` is a coordinator's success.
    private func check(_ response: HTTPClientResponse, path: String, body: Data) throws {
        guard (200..<300).contains(response.status.code) else {
            // Not one of ours (a web server's 404 page): say so at once instead of retrying or printing its page.
            let server = response.headers.first(name: "Server")
            guard server == Self.serverName else { throw NotACoordinator(url: baseURL + path, status: response.status.code, server: server) }
            throw Refused(status: response.status.code, body: String(decoding: body, as: UTF8.self))
        }
    }
}
