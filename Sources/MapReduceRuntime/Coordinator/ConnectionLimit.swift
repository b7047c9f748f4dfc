import NIOCore
import Synchronization

/// Caps the coordinator's open connections: a connection past the cap is closed as soon as it is accepted, so no
/// number of clients can use up the process's file descriptors. (Connections that never finish their headers, or
/// sit idle, are closed by the server's idle timeout.)
final class ConnectionLimit: Sendable {
    /// The most connections open at once.
    let limit: Int
    private let open = Atomic<Int>(0)

    init(limit: Int) { self.limit = limit }

    /// A handler for one new connection's pipeline.
    func handler() -> Handler { Handler(limit: self) }

    /// Counts its connection in while it is open, or closes it at once when the cap is reached.
    final class Handler: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = NIOAny
        private let limit: ConnectionLimit
        private var counted = false

        init(limit: ConnectionLimit) { self.limit = limit }

        func handlerAdded(context: ChannelHandlerContext) {
            let count = limit.open.wrappingAdd(1, ordering: .relaxed).newValue
            counted = true
            if count > limit.limit { context.close(promise: nil) }
        }

        func handlerRemoved(context: ChannelHandlerContext) {
            if counted { limit.open.wrappingSubtract(1, ordering: .relaxed) }
            counted = false
        }
    }
}
