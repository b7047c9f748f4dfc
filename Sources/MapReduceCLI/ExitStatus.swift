import ArgumentParser
import MapReduce

/// The exit statuses of every role, and which errors lead to which: the one place errors become exit statuses.
enum ExitStatus {
    /// The job failed (or a worker gave up on its coordinator).
    static let failed: Int32 = 1
    /// A signal stopped the coordinator before the job finished.
    static let stopped: Int32 = 2
    /// Bad arguments, flags or files: nothing was started (`EX_USAGE`).
    static let badArguments: Int32 = 64

    /// The status for `error`, thrown while a command checks its arguments and prepares (nothing has run yet):
    /// 64 for what the person running it can fix (a flag, an input, the output, a secret, another coordinator
    /// holding the job), 1 for a failure (a total-order job's sampling throwing, a damaged journal).
    static func beforeStart(_ error: any Error) -> Int32 {
        if error is ValidationError { return badArguments }
        guard let error = error as? any MapReduceError else { return failed }
        return error.code.kind == .failure ? failed : badArguments
    }

    /// Throws the exit of `error`, thrown before the command started, after `command` complained of it in one line.
    static func refuse(_ command: String, _ error: any Error) -> ExitCode {
        CommandContext.complain(command, "\(error)")
        return ExitCode(beforeStart(error))
    }
}
