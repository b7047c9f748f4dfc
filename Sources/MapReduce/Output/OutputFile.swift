import Zstd

/// A reduce partition's output file, published atomically: text records appended as bytes (the job's output
/// format), or, for a step that feeds another, the pairs it emits in the intermediate format.
@usableFromInline
final class OutputFile {
    private enum Storage {
        case text(WritableFile)
        case pairs(IntermediateFileWriter)
    }

    private let storage: Storage
    private let sync: Bool
    /// Text records not yet handed to the file: an ``OutputWriter`` (in the job's output format) and
    /// ``writeLine(_:_:)`` append each record here, and they go to the file ``pendingLimit`` bytes at a time, so a
    /// record costs one append, not a buffer of its own cleared and copied (about 300 instructions a record of the
    /// sort). Only the reduce loop touches it, so dynamic exclusivity checks are off.
    @usableFromInline @exclusivity(unchecked) var pending: [UInt8] = []
    /// The encoding of the key of the pair being emitted (pairs only); ``StepEmitter`` fills it, then calls
    /// ``flushPair()``.
    @usableFromInline @exclusivity(unchecked) var pairKey = RecordWriter()
    /// The encoding of the value of the pair being emitted (pairs only).
    @usableFromInline @exclusivity(unchecked) var pairValue = RecordWriter()
    /// The first error writing a pair: emitting does not throw, so the reduce loop throws it after the call.
    @usableFromInline var failure: (any Error)?
    /// Records written so far.
    @usableFromInline @exclusivity(unchecked) var records: Int64 = 0

    /// Creates the text output at `path`, written under a temporary name beside it until ``commit()``.
    @usableFromInline
    init(path: String, sync: Bool) throws {
        // Pending text reaches the file a megabyte at a time, which it writes through without copying; its own
        // buffer only holds the last, shorter piece.
        storage = .text(try WritableFile(path: path, bufferSize: 64 << 10))
        self.sync = sync
    }

    /// Creates the intermediate file of pairs at `path`, compressed and blocked as `settings` say.
    @usableFromInline
    init(pairsAt path: String, settings: ShuffleSettings) throws {
        storage = .pairs(
            try IntermediateFileWriter(
                path: path, compressor: settings.makeCompressor(), blockSize: settings.blockSize, sync: settings.syncFiles))
        sync = settings.syncFiles
    }

    /// The most bytes ``pending`` holds before they are written.
    @usableFromInline static var pendingLimit: Int { 1 << 20 }

    /// Writes ``pending`` once it holds ``pendingLimit`` bytes.
    @inlinable
    func writePendingIfFull() throws {
        if pending.count >= Self.pendingLimit { try writePending() }
    }

    /// Writes the bytes in ``pending`` and empties it.
    @usableFromInline
    func writePending() throws {
        guard case .text(let file) = storage else { preconditionFailure("a step that feeds another writes pairs, not text") }
        try file.write(pending)
        pending.removeAll(keepingCapacity: true)
    }

    /// Appends the pair in ``pairKey`` and ``pairValue``, keeping the first failure in ``failure``.
    @usableFromInline
    func flushPair() {
        guard failure == nil, case .pairs(let writer) = storage else { return }
        do {
            try pairKey.bytes.withUnsafeBytes { key in
                try pairValue.bytes.withUnsafeBytes { value in try writer.append(key: key, value: value) }
            }
            records += 1
        } catch {
            failure = error
        }
    }

    /// Writes `key`, one space, `text` and a newline: the default `key value` output. A `String` key is written as
    /// is; others as `"\(key)"`.
    @inlinable
    func writeKeyValue<Key>(key: Key, text: String) throws {
        try writeLine(key as? String ?? "\(key)", text)
        records += 1
    }

    /// Appends `key`, one space, `text` and a newline to ``pending``.
    @usableFromInline
    func writeLine(_ key: String, _ text: String) throws {
        var (key, text) = (key, text)
        key.withUTF8 { pending.append(contentsOf: $0) }
        pending.append(0x20)
        text.withUTF8 { pending.append(contentsOf: $0) }
        pending.append(0x0A)
        try writePendingIfFull()
    }

    /// Publishes the file under its final name. - Returns: its size.
    @usableFromInline
    func commit() throws -> Int64 {
        switch storage {
        case .text(let file):
            try writePending()
            try file.commit(sync: sync)
            return file.bytesWritten
        case .pairs(let writer):
            precondition(pending.isEmpty, "a step that feeds another writes pairs, not text")
            if let failure { throw failure }
            return try writer.finish().bytes
        }
    }
}
