import Foundation
import MapReduceTesting

/// A raw TCP connection to a test cluster's coordinator on loopback: whole requests, partial ones, and answers read
/// by hand, so tests can behave as no well-mannered client would.
final class Connection {
    struct Failed: Error { let what: String }

    let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else {
            close(descriptor)
            throw Failed(what: "a connection to port \(port)")
        }
    }

    /// Connects to `cluster`'s coordinator.
    convenience init(to cluster: Cluster) throws { try self.init(port: Int(cluster.url.split(separator: ":").last ?? "") ?? 0) }

    deinit { close(descriptor) }

    func send(_ text: String) { _ = text.withCString { Glibc.send(descriptor, $0, strlen($0), Int32(MSG_NOSIGNAL)) } }

    /// Sends a whole JSON request, without waiting for the answer.
    func sendRequest(_ method: String, _ path: String, body: String, bearer: String? = nil) {
        let authorization = bearer.map { "Authorization: Bearer \($0)\r\n" } ?? ""
        send(
            "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\n\(authorization)Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        )
    }

    /// Reads one whole answer (its headers give its length): its status code and body.
    func readAnswer() throws -> (status: Int, body: String) {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let text = String(decoding: received, as: UTF8.self)
            if let headerEnd = text.range(of: "\r\n\r\n") {
                let headers = text[..<headerEnd.lowerBound].split(separator: "\r\n")
                let length =
                    headers.first { $0.lowercased().hasPrefix("content-length:") }.flatMap {
                        Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces))
                    } ?? 0
                if text.utf8.count - text[..<headerEnd.upperBound].utf8.count >= length {
                    let status = headers.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
                    return (status, String(text[headerEnd.upperBound...]))
                }
            }
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { throw Failed(what: "an answer") }
            received += buffer[..<count]
        }
    }

    /// Sends a whole request and returns the answer's body.
    func request(_ method: String, _ path: String, body: String, bearer: String? = nil) throws -> String {
        sendRequest(method, path, body: body, bearer: bearer)
        return try readAnswer().body
    }

    /// Whether the server closed the connection (a read finds its end, or a reset).
    var isClosedByServer: Bool {
        var byte: UInt8 = 0
        let count = recv(descriptor, &byte, 1, Int32(MSG_DONTWAIT))
        return count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    }
}
