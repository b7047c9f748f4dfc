import Zstd

/// One sorted run to read or merge: a partition of an intermediate file.
struct IntermediateRun: Hashable {
    /// The intermediate file.
    var path: String
    /// The partition of it (0 for a file of one partition, as a step or a merge pass writes).
    var partition: Int

    /// Opens the run for reading, decompressing with `decompressor` (shared by the readers of one merge).
    func open(_ decompressor: ZstdDecompressor) throws(IntermediateFileError) -> IntermediateFileReader {
        try IntermediateFileReader(path: path, partition: partition, decompressor: decompressor)
    }
}
