public import MapReduce

extension JobCatalog {
    /// Every job this package ships, by name: what `mr-coordinator`, `mr-worker` and `mr-local` run.
    public static let builtIn = JobCatalog([
        JobDefinition(wordCount),
        JobDefinition(invertedIndex),
        JobDefinition(sort),
        grepDefinition,
        JobDefinition(salesJoin),
        JobDefinition(salesETL),
        topWordsPerBookDefinition,
    ])
}
