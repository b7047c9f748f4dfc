import Foundation
public import Hummingbird
import Logging
import Metrics
public import Prometheus
import ServiceLifecycle
public import MapReduce

extension TaskAssignment: ResponseEncodable {}
extension HeartbeatResponse: ResponseEncodable {}
extension CompletionResponse: ResponseEncodable {}
extension JobStatus: ResponseEncodable {}
extension Registration: ResponseEncodable {}
extension JobOverview: ResponseEncodable {}

/// A request's context: its body limit, and the worker its credential names once checked.
public struct CoordinatorRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The largest body this request may carry; raised for the routes that need more.
    public var maxUploadSize: Int
    /// The worker whose credential the request carries.
    public var worker: WorkerID?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        maxUploadSize = CoordinatorRouter.smallBodyLimit
        worker = nil
    }
}

/// The coordinator's HTTP routes (`/v1/…`), each a thin adapter from JSON to a ``Coordinator`` method.
///
/// A worker registers (`POST /v1/register`, with the cluster's shared secret when one is set) and receives a
/// credential; every other call of a worker carries it (`Authorization: Bearer <credential>`) and acts as that
/// worker only. Malformed bodies and reports that do not fit their attempt get 400; a missing, unknown or stale
/// credential (or a wrong secret) 401; a body naming another worker than its credential 403; requests the scheduler
/// refuses 404 (unknown worker or attempt) or 409 (another worker's attempt); a body over the route's limit 413.
/// In every case the state is unchanged. Every 5xx answer is logged.
public enum CoordinatorRouter {
    /// The body limit of every route but `complete`: 16 KiB.
    public static let smallBodyLimit = 16 << 10

    /// The body limit of `complete`: 512 KiB, room for a result (one output file, whatever the number of
    /// partitions) and the largest counters a report may carry (``CompletionCheck``).
    public static let completionBodyLimit = 512 << 10

    /// How often the coordinator writes to a worker's control connection (`POST /v1/attach`): a write is what
    /// finds a connection whose other end is gone.
    public static let connectionPingInterval = Duration.milliseconds(250)

    /// Builds the router for `coordinator`.
    /// - Parameters:
    ///   - metrics: the registry `/metrics` serves (swift-prometheus, bootstrapped as the process's metrics system);
    ///     without one, `/metrics` is not served.
    ///   - pingInterval: how often a control connection is written to (``connectionPingInterval``).
    public static func make(
        _ coordinator: Coordinator, secret: String? = nil, metrics: PrometheusCollectorRegistry? = nil, pingInterval: Duration = connectionPingInterval
    ) -> Router<CoordinatorRequestContext> {
        let router = Router(context: CoordinatorRequestContext.self)
        router.add(middleware: RequestMetricsMiddleware())
        router.add(middleware: ServerErrorLogMiddleware(logger: coordinator.logger))
        router.add(middleware: AuthenticationMiddleware(coordinator: coordinator, secret: secret.map { Array($0.utf8) }, completionLimit: completionBodyLimit))
        let v1 = router.group("v1")
        v1.post("register") { request, context -> Registration in
            let body = try await request.decode(as: RegistrationRequest.self, context: context)
            return try await refusing { () throws(SchedulerError) in try await coordinator.register(name: body.name) }
        }
        v1.post("task") { request, context -> TaskAssignment in
            let body = try await request.decode(as: TaskRequest.self, context: context)
            return await coordinator.nextTask(for: try context.sender(body.worker), request: body.request)
        }
        v1.post("heartbeat") { request, context -> HeartbeatResponse in
            var body = try await request.decode(as: HeartbeatRequest.self, context: context)
            body.worker = try context.sender(body.worker)
            return try await refusing { () throws(SchedulerError) in try await coordinator.heartbeat(body) }
        }
        v1.post("complete") { request, context -> CompletionResponse in
            var body = try await request.decode(as: CompletionRequest.self, context: context)
            body.worker = try context.sender(body.worker)
            return try await refusing { try await coordinator.complete(body) }
        }
        v1.post("fail") { request, context -> HTTPResponse.Status in
            var body = try await request.decode(as: FailureRequest.self, context: context)
            body.worker = try context.sender(body.worker)
            try await refusing { try await coordinator.fail(body) }
            return .noContent
        }
        v1.post("leave") { request, context -> HTTPResponse.Status in
            let body = try await request.decode(as: LeaveRequest.self, context: context)
            await coordinator.leave(LeaveRequest(worker: try context.sender(body.worker)))
            return .noContent
        }
        v1.post("attach") { request, context -> Response in
            let body = try await request.decode(as: AttachRequest.self, context: context)
            let worker = try context.sender(body.worker)
            let connection = await coordinator.connected(worker)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                body: ResponseBody { writer in
                    // A write to a connection whose other end is gone fails within a ping or two: the peer's system
                    // answers the first with a reset. The stream ends as the job ends (the server's graceful
                    // shutdown waits for it), or at the next ping once the server shuts down.
                    var open = true
                    while open, !Task.isShuttingDownGracefully, await coordinator.outcome == nil {
                        do {
                            try await writer.write(ByteBuffer(string: "\n"))
                            await coordinator.waitForOutcome(until: .now + pingInterval)
                            try Task.checkCancellation()
                        } catch {
                            open = false
                        }
                    }
                    if open { try? await writer.finish(nil) }
                    await coordinator.disconnected(worker, connection: connection)
                })
        }
        v1.get("status") { _, _ -> JobStatus in await coordinator.status() }
        v1.get("job") { _, _ -> JobOverview in await coordinator.overview() }
        router.get("/") { _, _ -> Response in
            let page = StatusPage.render(await coordinator.overview(), refreshSeconds: 2)
            let headers: HTTPFields = [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .contentSecurityPolicy: StatusPage.contentSecurityPolicy,
                .xContentTypeOptions: "nosniff",
            ]
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
        }
        if let metrics {
            router.get("metrics") { _, _ -> Response in
                var text: [UInt8] = []
                metrics.emit(into: &text)
                return Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: text)))
            }
        }
        return router
    }

    /// Runs `body`, answering a refusal (a ``SchedulerError``) with its code's status.
    private static func refusing<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as SchedulerError {
            throw HTTPError(error.code.httpStatus, message: error.message)
        }
    }
}

extension CoordinatorRequestContext {
    /// The authenticated worker, after checking that the body names it (`claimed`).
    func sender(_ claimed: WorkerID) throws -> WorkerID {
        guard let worker else { throw HTTPError(.unauthorized, message: "this call needs a worker's credential; register first (POST /v1/register)") }
        guard claimed == worker else { throw HTTPError(.forbidden, message: "the body names \(claimed), but the credential is \(worker)'s") }
        return worker
    }
}

/// Checks who may call what: the shared secret (when set) for registering and for the status; a registered
/// worker's credential for everything else. Raises the body limit of the one route that needs more.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = CoordinatorRequestContext
    let coordinator: Coordinator
    let secret: [UInt8]?
    let completionLimit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let bearer = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? $0.dropFirst(7) : nil }
        switch request.uri.path {
        case "/v1/register":
            if let secret {
                guard let bearer, ConstantTime.equal(Array(bearer.utf8), secret) else {
                    throw HTTPError(
                        .unauthorized, message: "missing or wrong shared secret; give the worker the coordinator's secret (--secret-file or MR_SECRET)")
                }
            }
        case "/", "/v1/status", "/v1/job", "/metrics":
            // Read-only views: the shared secret as a bearer token (Prometheus, curl), or as a browser's Basic
            // password (any user name).
            if let secret {
                guard let given = bearer.map({ Array($0.utf8) }) ?? Self.basicPassword(request), ConstantTime.equal(given, secret) else {
                    throw HTTPError(
                        .unauthorized, headers: [.wwwAuthenticate: "Basic realm=\"mapreduce coordinator\", charset=\"UTF-8\""],
                        message: "missing or wrong shared secret; send it as a bearer token, or as the password when the browser asks")
                }
            }
        case "/v1/task", "/v1/heartbeat", "/v1/complete", "/v1/fail", "/v1/leave", "/v1/attach":
            guard let bearer, let worker = await coordinator.worker(forCredential: bearer) else {
                throw HTTPError(.unauthorized, message: "missing, unknown or stale credential; register again (POST /v1/register)")
            }
            context.worker = worker
            if request.uri.path == "/v1/complete" { context.maxUploadSize = completionLimit }
        default:
            // No such route (`/favicon.ico`): the router answers 404, not "register again".
            break
        }
        return try await next(request, context)
    }

    /// The password of a request's `Authorization: Basic` header.
    private static func basicPassword(_ request: Request) -> [UInt8]? {
        guard let header = request.headers[.authorization], header.hasPrefix("Basic "),
            let decoded = Data(base64Encoded: String(header.dropFirst(6))), let colon = decoded.firstIndex(of: UInt8(ascii: ":"))
        else { return nil }
        return Array(decoded[decoded.index(after: colon)...])
    }
}

/// Counts every request by route (the matched route's path, or `unmatched`: never a raw path) and status, as
/// `mapreduce_http_requests_total`.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            count(context, response.status.code)
            return response
        } catch let error as any HTTPResponseError {
            count(context, error.status.code)
            throw error
        } catch {
            count(context, 500)
            throw error
        }
    }

    private func count(_ context: Context, _ status: Int) {
        Counter(label: "mapreduce_http_requests_total", dimensions: [("route", context.endpointPath ?? "unmatched"), ("status", "\(status)")]).increment()
    }
}

/// Logs every request answered with a 5xx status: a coordinator that fails a request must say why.
struct ServerErrorLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            if response.status.code >= 500 { log(request, "\(response.status)") }
            return response
        } catch let error as any HTTPResponseError where error.status.code < 500 {
            throw error
        } catch {
            log(request, "\(error)")
            throw error
        }
    }

    private func log(_ request: Request, _ error: String) {
        logger.error("request failed", metadata: ["mr.route": "\(request.method) \(request.uri.path)", "mr.error": "\(error)"])
    }
}
