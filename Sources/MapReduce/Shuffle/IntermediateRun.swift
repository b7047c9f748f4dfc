import Zstd

/// One sorted run to read or merge: a partition of an intermediate file.
struct IntermediateRun: Hashable {
    /// The intermediate file.
    var path: String
    /// The partition of it (0 for a file of one partition, as a step or a merge pass writes).
    var partition: Int

    /// Opens `runs` for one merge: their readers share one decompression context (each block is a whole zstd
    /// frame, and a merge reads one block at a time).
    static func open(_ runs: [IntermediateRun]) throws(IntermediateFileError) -> [IntermediateFileReader] {
        let decompressor = ZstdDecompressor()
        return try runs.map { run throws(IntermediateFileError) in
            try IntermediateFileReader(path: run.path, partition: run.partition, decompressor: decompressor)
        }
    }
}
