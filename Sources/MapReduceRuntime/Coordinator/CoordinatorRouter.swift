import Foundation
public import Hummingbird
import Logging

extension TaskAssignment: ResponseEncodable {}
extension HeartbeatResponse: ResponseEncodable {}
extension CompletionResponse: ResponseEncodable {}
extension JobStatus: ResponseEncodable {}

/// The coordinator's HTTP routes (`/v1/…`), each a thin adapter from JSON to a ``Coordinator`` method.
///
/// Malformed bodies and reports that do not fit their attempt get 400; requests the scheduler refuses get 404
/// (unknown worker or attempt) or 409 (another worker's attempt); in every case the state is unchanged. With a
/// shared secret, a request without `Authorization: Bearer <secret>` gets 401. Every 5xx answer is logged.
public enum CoordinatorRouter {
    /// Builds the router for `coordinator`.
    public static func make(_ coordinator: Coordinator, secret: String? = nil) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ServerErrorLogMiddleware(logger: coordinator.logger))
        if let secret { router.add(middleware: SharedSecretMiddleware(secret: secret)) }
        let v1 = router.group("v1")
        v1.post("task") { request, context -> TaskAssignment in
            let body = try await request.decode(as: TaskRequest.self, context: context)
            return await coordinator.nextTask(for: body.worker)
        }
        v1.post("heartbeat") { request, context -> HeartbeatResponse in
            let body = try await request.decode(as: HeartbeatRequest.self, context: context)
            return try await refusing { () throws(SchedulerError) in try await coordinator.heartbeat(body) }
        }
        v1.post("complete") { request, context -> CompletionResponse in
            let body = try await request.decode(as: CompletionRequest.self, context: context)
            return try await refusing { try await coordinator.complete(body) }
        }
        v1.post("fail") { request, context -> HTTPResponse.Status in
            let body = try await request.decode(as: FailureRequest.self, context: context)
            try await refusing { try await coordinator.fail(body) }
            return .noContent
        }
        v1.get("status") { _, _ -> JobStatus in await coordinator.status() }
        return router
    }

    /// Runs `body`, turning a ``SchedulerError`` into the matching 4xx.
    private static func refusing<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as SchedulerError {
            switch error.code {
            case .unknownWorker, .unknownAttempt: throw HTTPError(.notFound, message: error.message)
            case .notYourAttempt: throw HTTPError(.conflict, message: error.message)
            case .invalidReport: throw HTTPError(.badRequest, message: error.message)
            }
        }
    }
}

/// Rejects requests that do not carry the cluster's shared secret.
struct SharedSecretMiddleware<Context: RequestContext>: RouterMiddleware {
    let secret: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.headers[.authorization] == "Bearer \(secret)" else {
            throw HTTPError(.unauthorized, message: "missing or wrong shared secret; pass the coordinator's --secret (or MR_SECRET) to the worker")
        }
        return try await next(request, context)
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
