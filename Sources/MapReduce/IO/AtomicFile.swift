/// Small files written whole and published atomically: a reader sees the old file or the new one, never part.
package enum AtomicFile {
    /// Writes `bytes` to `path` under a temporary name beside it, optionally fsyncs, and renames it into place.
    package static func write(_ bytes: [UInt8], to path: String, sync: Bool = true) throws(FileIOError) {
        let file = try WritableFile(path: path)
        try file.write(bytes)
        try file.commit(sync: sync)
    }
}
