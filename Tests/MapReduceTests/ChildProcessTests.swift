import Foundation
import MapReduceTesting
import Testing

/// The harness must see a child's death at once. Foundation's `Process` notices it only when a socket the child
/// inherited closes, so a process that also holds that socket (the child's own child here; in the suite, a child
/// another test spawned from another thread at the same moment) hides it (swift-corelibs-foundation#4795): a
/// coordinator killed with SIGKILL once seemed alive for 10 s and failed a test.
@Suite struct ChildProcessTests {
    @Test func aKilledChildIsSeenDeadWhileItsOwnChildHoldsWhatItInherited() throws {
        let directory = try TemporaryDirectory()
        // The shell leaves a sleeping child behind, holding every descriptor the shell inherited but its standard
        // streams, and waits.
        let shell = try ChildProcess(
            "/bin/sh", ["-c", "sleep 60 </dev/null >/dev/null 2>&1 & echo $!; wait"], errorLog: directory.appending("sh.log"))
        let grandchild = try ChildProcess.waitUntil("the pid of the shell's child", timeout: .seconds(30)) {
            shell.standardOutput.split(separator: "\n").first.flatMap { pid_t($0) }
        }
        defer { kill(grandchild, SIGKILL) }
        shell.send(SIGKILL)
        #expect(try shell.waitForExit(timeout: .seconds(10)) == 128 + SIGKILL)
        #expect(!shell.isRunning)
    }

    @Test func anExitStatusIsReported() throws {
        let directory = try TemporaryDirectory()
        let exiting = try ChildProcess("/bin/sh", ["-c", "exit 3"], errorLog: directory.appending("sh.log"))
        #expect(try exiting.waitForExit(timeout: .seconds(30)) == 3)
    }
}
