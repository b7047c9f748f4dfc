public import MapReduce

/// Every job this package ships, by name.
public let catalog = JobCatalog([
    AnyJob(wordCount),
    AnyJob(invertedIndex),
    AnyJob(probeWordCount),
    AnyJob(crashWordCount),
])
