import Jobs
import MapReduce
import MapReduceCLI

// The `local` role over the jobs this repository ships: `swift run mr-local --help`.
await MapReduceCommand.main(catalog: .builtIn, role: .local)
