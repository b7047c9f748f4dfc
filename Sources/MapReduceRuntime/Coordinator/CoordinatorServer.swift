public import Hummingbird
public import HummingbirdCore
import NIOCore

/// How the coordinator's HTTP server treats connections: bounded in number, and closed when idle.
public enum CoordinatorServer {
    /// The default cap on open connections: 512, half the usual file descriptor limit.
    public static let defaultMaximumConnections = 512
    /// The default idle timeout: a connection that sends no complete request head for this long (one that never
    /// finishes its headers, or a kept-alive one with nothing to ask) is closed. Requests being answered (a long
    /// poll) are not idle.
    public static let defaultIdleTimeout = Duration.seconds(10)

    /// An HTTP/1.1 server with a connection cap and an idle timeout.
    public static func http1(
        maximumConnections: Int = defaultMaximumConnections, idleTimeout: Duration = defaultIdleTimeout
    ) -> HTTPServerBuilder {
        let limit = ConnectionLimit(limit: maximumConnections)
        let milliseconds = idleTimeout.components.seconds * 1000 + idleTimeout.components.attoseconds / 1_000_000_000_000_000
        return .http1(configuration: .init(additionalChannelHandlers: [limit.handler()], idleTimeout: .milliseconds(milliseconds)))
    }
}
