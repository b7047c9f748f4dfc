import MapReduceTesting

extension ClusterProgram {
    /// `mr-testbed`'s `coordinator` and `worker` subcommands: the built-in jobs plus the fault-injection jobs, run
    /// the way a user's own program built on `MapReduceCommand` runs.
    static var testbed: ClusterProgram { .subcommands(of: "mr-testbed") }
}
