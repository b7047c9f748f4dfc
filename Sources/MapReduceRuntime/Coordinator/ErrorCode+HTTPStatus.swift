public import Hummingbird
public import MapReduce

extension ErrorCode {
    /// The status the coordinator answers a request refused with this code: the one place codes become statuses.
    public var httpStatus: HTTPResponse.Status {
        switch kind {
        case .invalid: .badRequest
        case .notFound: .notFound
        case .conflict: .conflict
        case .unauthenticated: .unauthorized
        case .limitExceeded: .tooManyRequests
        case .failure: .internalServerError
        }
    }
}
