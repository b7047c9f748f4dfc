import FaultInjection
import Jobs
import MapReduce
import MapReduceCLI

// The program the integration tests run: the built-in jobs and the fault-injection jobs, with every role as a
// subcommand (`mr-testbed coordinator …`, `mr-testbed worker …`). Production executables never link the latter.
await MapReduceCommand.main(catalog: JobCatalog.builtIn.merging(.faultInjection))
