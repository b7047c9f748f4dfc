import Foundation

/// A network namespace joined to this one by a veth pair: a second "host" for partition tests, on addresses of
/// its own (`hostAddress` on this side, `guestAddress` inside), with a link the test can cut and restore.
/// Needs root and iproute2; ``isAvailable`` says whether it can be made here. Removed when released.
public final class NetworkNamespace: @unchecked Sendable {
    /// The namespace's name.
    public let name: String
    /// This side's address on the link.
    public let hostAddress: String
    /// The namespace's address on the link.
    public let guestAddress: String
    private let hostInterface: String

    /// Whether network namespaces can be created here (root, with the `ip` tool).
    public static var isAvailable: Bool {
        getuid() == 0 && (try? run(["netns", "list"])) != nil
    }

    /// Creates the namespace and its link, up, on a subnet of 10.213.0.0/16 that no interface uses yet: links are
    /// made one at a time across processes (under a lock file), so test runs side by side never share addresses.
    public init() throws {
        let lock = open("/run/mapreduce-test-netns.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard lock >= 0, flock(lock, LOCK_EX) == 0 else { throw CommandFailed(arguments: ["flock /run/mapreduce-test-netns.lock"], status: errno) }
        defer { close(lock) }
        let used = try Self.output(["-o", "-4", "addr", "show"])
        guard let subnet = (1...250).shuffled().first(where: { !used.contains("10.213.\($0).") }) else {
            throw CommandFailed(arguments: ["addr show: every 10.213.x.0/30 subnet is in use"], status: 1)
        }
        var suffix = String(UInt32.random(in: 0..<0xFFFF), radix: 16)
        while used.contains("mrh\(suffix)") { suffix = String(UInt32.random(in: 0..<0xFFFF), radix: 16) }
        name = "mr-test-\(suffix)"
        hostInterface = "mrh\(suffix)"
        let guestInterface = "mrg\(suffix)"
        hostAddress = "10.213.\(subnet).1"
        guestAddress = "10.213.\(subnet).2"
        try Self.run(["netns", "add", name])
        do {
            try Self.run(["link", "add", hostInterface, "type", "veth", "peer", "name", guestInterface])
            try Self.run(["link", "set", guestInterface, "netns", name])
            try Self.run(["addr", "add", "\(hostAddress)/30", "dev", hostInterface])
            try Self.run(["link", "set", hostInterface, "up"])
            try Self.run(["-n", name, "addr", "add", "\(guestAddress)/30", "dev", guestInterface])
            try Self.run(["-n", name, "link", "set", guestInterface, "up"])
            try Self.run(["-n", name, "link", "set", "lo", "up"])
        } catch {
            remove()
            throw error
        }
    }

    deinit { remove() }

    /// Cuts the link: packets between the namespaces are dropped until ``restore()``.
    public func cut() throws { try Self.run(["link", "set", hostInterface, "down"]) }

    /// Restores the link.
    public func restore() throws { try Self.run(["link", "set", hostInterface, "up"]) }

    /// Routes `address` (another address of this host, like another namespace's ``hostAddress``) through the link,
    /// so that processes inside can reach it.
    public func route(to address: String) throws { try Self.run(["-n", name, "route", "add", "\(address)/32", "via", hostAddress]) }

    /// The command line that runs `executable` inside the namespace.
    public func wrap(_ executable: String, _ arguments: [String]) -> (String, [String]) {
        ("/usr/sbin/ip", ["netns", "exec", name, executable] + arguments)
    }

    private func remove() {
        try? Self.run(["link", "delete", hostInterface])
        try? Self.run(["netns", "delete", name])
    }

    /// An `ip` command failed.
    public struct CommandFailed: Error, CustomStringConvertible {
        public let arguments: [String]
        public let status: Int32
        /// What it wrote to standard error.
        public var message = ""
        public var description: String {
            "ip \(arguments.joined(separator: " ")) exited \(status)" + (message.isEmpty ? "" : ": \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }

    static func run(_ arguments: [String]) throws { _ = try output(arguments) }

    /// Runs `ip` with `arguments` (within 30 s) and returns what it printed.
    ///
    /// Waited for as ``ChildProcess`` waits, not by reading its output to the end: a process another thread spawns
    /// at that moment may inherit the pipe and hold it open for as long as it lives.
    static func output(_ arguments: [String]) throws -> String {
        let scratch = try TemporaryDirectory(prefix: "mapreduce-test-ip")
        let ip = FileManager.default.fileExists(atPath: "/usr/sbin/ip") ? "/usr/sbin/ip" : "/sbin/ip"
        let child = try ChildProcess(ip, arguments, errorLog: scratch.appending("stderr"))
        let status = try child.waitForExit(timeout: .seconds(30))
        guard status == 0 else { throw CommandFailed(arguments: arguments, status: status, message: child.standardError) }
        return child.standardOutput
    }
}
