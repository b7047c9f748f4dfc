import Jobs
import MapReduce
import MapReduceCLI

// The `coordinator` role over the jobs this repository ships: `swift run mr-coordinator --help`.
await MapReduceCommand.main(catalog: .builtIn, role: .coordinator)
