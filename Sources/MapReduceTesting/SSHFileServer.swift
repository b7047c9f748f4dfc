import Foundation

/// An `sshd` of the test's own that serves this host's files over SFTP on one address, so that workers in network
/// namespaces can mount the shared directory with sshfs (FUSE): a real network filesystem between "hosts".
///
/// Needs root, `sshd` and `sshfs` (Debian's `openssh-server` and `sshfs`), `/dev/fuse` and `unshare`;
/// ``isAvailable`` says whether they are here. Its keys and configuration live in a temporary directory; the
/// server is stopped when released.
public final class SSHFileServer: Sendable {
    /// The address it listens on.
    public let address: String
    /// Its port.
    public let port: Int
    private let directory: TemporaryDirectory
    /// sshd's pid (it runs as a daemon: a child process of ours it would be kept from being reaped with its
    /// sessions, and Foundation's process monitoring then stalls every later child's exit).
    private let pid: pid_t
    private let identity: String

    /// Whether sshfs mounts can be made here.
    public static var isAvailable: Bool {
        let files = FileManager.default
        return getuid() == 0 && files.isExecutableFile(atPath: "/usr/sbin/sshd") && files.isExecutableFile(atPath: "/usr/bin/sshfs")
            && files.fileExists(atPath: "/dev/fuse") && files.isExecutableFile(atPath: "/usr/bin/unshare")
    }

    /// Starts the server on `address` (one of the test's own: a namespace link's host side) and waits until it
    /// accepts connections.
    /// - Parameter refusing: SFTP requests the server refuses (`sftp-server -P`), to make a filesystem that lacks
    ///   them: `["rename", "posix-rename"]` cannot rename, as an object-store mount cannot.
    public init(address: String, refusing: [String] = []) throws {
        self.address = address
        directory = try TemporaryDirectory(prefix: "mapreduce-sshd")
        port = try Cluster.freePort()
        identity = directory.appending("client-key")
        let hostKey = directory.appending("host-key")
        for (key, comment) in [(identity, "mapreduce-test-client"), (hostKey, "mapreduce-test-host")] {
            let keygen = try ChildProcess(
                "/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", key], errorLog: directory.appending("keygen.log"))
            guard try keygen.waitForExit(timeout: .seconds(30)) == 0 else { throw SetupFailed(what: "ssh-keygen", log: keygen.standardError) }
        }
        try FileManager.default.copyItem(atPath: "\(identity).pub", toPath: directory.appending("authorized_keys"))
        // sshd's privilege separation directory.
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        let configuration = directory.appending("sshd_config")
        try """
        ListenAddress \(address):\(port)
        HostKey \(hostKey)
        AuthorizedKeysFile \(directory.appending("authorized_keys"))
        PermitRootLogin prohibit-password
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        UsePAM no
        StrictModes no
        PidFile \(directory.appending("sshd.pid"))
        ClientAliveInterval 1
        ClientAliveCountMax 3
        Subsystem sftp internal-sftp\(refusing.isEmpty ? "" : " -P " + refusing.joined(separator: ","))

        """.write(toFile: configuration, atomically: true, encoding: .utf8)
        // sshd writes its pid file once it listens, then detaches.
        let server = try ChildProcess(
            "/usr/sbin/sshd", ["-E", directory.appending("sshd.log"), "-f", configuration], errorLog: directory.appending("sshd.err"))
        guard try server.waitForExit(timeout: .seconds(30)) == 0 else { throw SetupFailed(what: "sshd", log: server.standardError) }
        let pidFile = directory.appending("sshd.pid")
        pid = try ChildProcess.waitUntil("sshd's pid file", timeout: .seconds(30)) {
            (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
    }

    deinit {
        // Its sessions first (each serves a mount; one whose client vanished behind a cut link would otherwise wait
        // for its keep-alives to fail), then the listener.
        if let pkill = try? ChildProcess("/usr/bin/pkill", ["-TERM", "-P", "\(pid)"], errorLog: directory.appending("pkill-sessions.log")) {
            _ = try? pkill.waitForExit(timeout: .seconds(10))
        }
        kill(pid, SIGTERM)
        // Then its exit: it removes its pid file as it goes, and must not do so while the directory is removed
        // (an entry that vanishes under the removal stops it, and the rest stayed behind in /tmp).
        _ = try? ChildProcess.waitUntil("sshd (pid \(pid)) to exit", timeout: .seconds(10)) { Self.hasExited(pid) ? () : nil }
    }

    /// Whether `pid` is gone or a zombie (sshd detached, so it is not ours to reap).
    private static func hasExited(_ pid: pid_t) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        // The state follows the command's closing parenthesis.
        return status.split(separator: ")").last?.dropFirst().first == "Z"
    }

    /// sshd or ssh-keygen failed.
    public struct SetupFailed: Error, CustomStringConvertible {
        /// The program.
        public let what: String
        /// Its standard error.
        public let log: String
        public var description: String { "\(what) failed: \(log)" }
    }

    /// A ``Cluster/startWorker(environment:extra:in:wrapper:workingDirectory:)`` wrapper that runs the worker in
    /// `namespace`, in a mount and PID namespace of its own (with its own /proc) where `shared` is this server's `shared`, mounted with
    /// sshfs at the same path. The worker is that PID namespace's first process: when it ends, or the command is
    /// killed, sshfs ends with it and the mount goes away.
    /// - Parameter name: a name for the mount (its `fsname`), to find its sshfs process by.
    public func mountingWrapper(shared: String, in namespace: NetworkNamespace, name: String) -> (String, [String]) -> (String, [String]) {
        let options = [
            "IdentityFile=\(identity)", "Port=\(port)", "BatchMode=yes", "StrictHostKeyChecking=no", "UserKnownHostsFile=/dev/null",
            "LogLevel=ERROR", "ServerAliveInterval=1", "ServerAliveCountMax=3", "fsname=\(name)",
            // Close-to-open consistency: no cached attributes, directory entries or pages between opens.
            "dir_cache=no", "attr_timeout=0", "entry_timeout=0", "negative_timeout=0",
        ]
        let script = """
            set -eu
            shared=$1
            shift
            /usr/bin/sshfs -f -o \(options.joined(separator: ",")) "root@\(address):$shared" "$shared" &
            for _ in $(seq 1 200); do mountpoint -q "$shared" && break; sleep 0.05; done
            mountpoint -q "$shared" || { echo "sshfs: could not mount $shared" >&2; exit 1; }
            exec "$@"
            """
        return { executable, arguments in
            namespace.wrap(
                "/usr/bin/unshare",
                ["--mount", "--propagation", "private", "--pid", "--fork", "--mount-proc", "--kill-child", "/bin/sh", "-c", script, "sh", shared, executable]
                    + arguments)
        }
    }

    /// Kills the sshfs process of the mount called `name` (see ``mountingWrapper(shared:in:name:)``): its worker's
    /// shared directory goes away under it ("Transport endpoint is not connected").
    public func killMount(named name: String) throws {
        let pkill = try ChildProcess(
            "/usr/bin/pkill", ["-KILL", "-f", "^/usr/bin/sshfs .*fsname=\(name)[,\" ]"], errorLog: directory.appending("pkill-\(name).log"))
        guard try pkill.waitForExit(timeout: .seconds(10)) == 0 else {
            throw SetupFailed(what: "pkill of the sshfs mount \(name)", log: "no sshfs process has fsname=\(name)")
        }
    }
}
