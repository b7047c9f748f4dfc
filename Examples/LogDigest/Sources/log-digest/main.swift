import LogDigest
import MapReduce
import MapReduceCLI

// One executable for every role, over this package's jobs:
//
//     log-digest jobs
//     log-digest local --job log-digest --param top=3 --output digest input
//     log-digest coordinator --job log-digest --param top=3 --shared-dir /mnt/shared --output digest input
//     log-digest worker --coordinator http://HOST:PORT --shared-dir /mnt/shared
await MapReduceCommand.main(catalog: JobCatalog([logDigestDefinition]))
