import Foundation
import MapReduce
import MapReduceTesting
import Testing

/// A small input is cut into enough map tasks for every worker: split size = min(--split-size, max(4 MiB,
/// input ÷ --map-tasks)).
@Suite struct SplitPlannerTests {
    /// A sparse file of `size` bytes (planning reads sizes only).
    func file(_ directory: TemporaryDirectory, _ name: String, size: Int64) throws -> String {
        let path = directory.appending(name)
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        #expect(truncate(path, off_t(size)) == 0)
        return path
    }

    /// Today 64 MiB in four files was one map task, and the second worker sat idle through the map phase.
    @Test(arguments: [
        // (input files in MiB, split size in MiB, target map tasks, expected map tasks)
        ([16, 16, 16, 16], 64, 8, 8),
        ([64], 64, 8, 8),
        ([16], 64, 8, 4),  // 2 MiB shares are below the 4 MiB minimum
        ([16], 1, 8, 16),  // an explicit split size below the minimum is kept
        ([16], 64, 1, 1),
        ([1024], 64, 8, 16),  // a large input keeps the split size
    ])
    func aSmallInputIsCutIntoEnoughMapTasks(sizes: [Int], splitSize: Int, target: Int, expected: Int) throws {
        let directory = try TemporaryDirectory()
        let paths = try sizes.enumerated().map { try file(directory, "in-\($0.offset)", size: Int64($0.element) << 20) }
        let configuration = JobConfiguration(splitSize: Int64(splitSize) << 20, targetMapTasks: target)
        let tasks = try SplitPlanner(configuration).plan(paths)
        #expect(tasks.count == expected, "\(tasks.map { $0.map(\.length) })")
        #expect(tasks.joined().reduce(0) { $0 + $1.length } == Int64(sizes.reduce(0, +)) << 20, "every byte is planned once")
    }

    @Test func aTargetOutOfRangeIsRefusedNamingTheFlag() {
        let error = #expect(throws: JobError.self) { try JobConfiguration(targetMapTasks: 0).validate() }
        #expect(error?.message.contains("--map-tasks") == true)
    }

    /// Review (issue 23, item 3): a gzipped log was read as raw bytes, 10,535 garbage records and exit 0. Compressed
    /// data is recognised by its first bytes, whatever the name, and refused naming the file and the format unless
    /// its name says it is read (`.gz`, `.zst`).
    @Test(arguments: [
        ("log.1", [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00] as [UInt8], "gzip", ".gz ending"),
        ("data", [0x42, 0x5A, 0x68, 0x39, 0x31, 0x41], "bzip2", "bunzip2 -k"),
        ("data.txt", [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], "xz", "unxz -k"),
        ("archive", [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00], "zip", "unzip"),
        ("frames", [0x04, 0x22, 0x4D, 0x18, 0x64, 0x40], "lz4", "unlz4"),
        ("notnamed", [0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x00], "zstd", ".zst ending"),
    ])
    func compressedDataIsRefusedWhateverItsName(name: String, prefix: [UInt8], format: String, advice: String) throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(name, prefix + Array("rest of the file".utf8))
        let error = try #require(throws: InputError.self) { try SplitPlanner(splitSize: 1 << 20).expand([path]) }
        #expect(error.message.contains("input '\(path)' is \(format)-compressed data") && error.message.contains(advice), "\(error.message)")
    }

    /// Text, binary records that start like no signature, an empty file, a `.zst` and a `.gz` file are inputs.
    @Test func textZstdAndGzipInputsAreNotRefused() throws {
        let directory = try TemporaryDirectory()
        let text = try directory.write("a.txt", "BZh is how bzip2 starts, but not this line\n")
        let binary = try directory.write("b.bin", [0x1F, 0x8B, 0x09, 0x00, 0x41, 0x42])  // not deflate: not gzip
        let empty = try directory.write("c.txt", "")
        let zstd = try directory.write("d.zst", [0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x00])
        let gzip = try directory.write("e.log.gz", [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00])
        #expect(try SplitPlanner(splitSize: 1 << 20).expand([text, binary, empty, zstd, gzip]).count == 5)
    }

    /// A file named as compressed that holds something else is refused, naming what it holds.
    @Test func aFileNamedCompressedThatIsNotIsRefused() throws {
        let directory = try TemporaryDirectory()
        let xz = try directory.write("f.gz", [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00])
        let error = try #require(throws: InputError.self) { try SplitPlanner(splitSize: 1 << 20).expand([xz]) }
        #expect(error.message.contains("input '\(xz)' is named as gzip-compressed but is xz data"), "\(error.message)")
    }
}
