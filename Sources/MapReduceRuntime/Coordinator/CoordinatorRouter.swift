import Foundation
public import Hummingbird

extension TaskAssignment: ResponseEncodable {}
extension HeartbeatResponse: ResponseEncodable {}
extension CompletionResponse: ResponseEncodable {}
extension JobStatus: ResponseEncodable {}

/// The coordinator's HTTP routes (`/v1/…`), each a thin adapter from JSON to a ``Coordinator`` method.
///
/// Malformed bodies get 400; requests the scheduler refuses get 404 (unknown worker or attempt) or 409 (another
/// worker's attempt); in every case the state is unchanged. With a shared secret, a request without
/// `Authorization: Bearer <secret>` gets 401.
public enum CoordinatorRouter {
    /// Builds the router for `coordinator`.
    public static func make(_ coordinator: Coordinator, secret: String? = nil) -> Router<BasicRequestContext> {
        let router = Router()
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
