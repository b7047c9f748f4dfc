import Jobs
import MapReduce
import MapReduceCLI

// The `worker` role over the jobs this repository ships: `swift run mr-worker --help`.
await MapReduceCommand.main(catalog: .builtIn, role: .worker)
