/// One sorted run to read or merge: a partition of an intermediate file.
struct IntermediateRun: Hashable {
    /// The intermediate file.
    var path: String
    /// The partition of it (0 for a file of one partition, as a step or a merge pass writes).
    var partition: Int
}
