public import MapReduce

/// Every job this package ships, by name.
public let catalog = JobCatalog([
    JobDefinition(wordCount),
    JobDefinition(invertedIndex),
    JobDefinition(sort),
    grepDefinition,
    JobDefinition(salesJoin),
    JobDefinition(salesByCategoryDay),
    JobDefinition(probeWordCount),
    JobDefinition(crashWordCount),
])
