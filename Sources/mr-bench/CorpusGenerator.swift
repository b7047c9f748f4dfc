import Foundation
import MapReduceTesting

/// Writes a deterministic English-like corpus: words drawn from a Zipf(1.1) distribution over a fixed
/// vocabulary of made-up ASCII words, in lines of 60 to 100 bytes, spread over several files.
struct CorpusGenerator {
    var vocabularySize = 500_000
    var seed: UInt64 = 42

    /// Writes `files` files totalling about `bytes` bytes into `directory`; returns their paths.
    func write(to directory: String, files: Int, bytes: Int64) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var random = SeededRandom(seed: seed)
        let vocabulary = (0..<vocabularySize).map { _ in Self.makeWord(&random) }
        var cumulative: [Double] = []
        cumulative.reserveCapacity(vocabularySize)
        var total = 0.0
        for rank in 1...vocabularySize {
            total += 1 / pow(Double(rank), 1.1)
            cumulative.append(total)
        }
        let perFile = bytes / Int64(files)
        var paths: [String] = []
        for index in 0..<files {
            let path = "\(directory)/corpus-\(String(format: "%03d", index)).txt"
            var text: [UInt8] = []
            text.reserveCapacity(Int(perFile) + 128)
            while Int64(text.count) < perFile {
                let target = 60 + Int(random.next() % 41)
                var lineLength = 0
                while lineLength < target {
                    let draw = Double(random.next() >> 11) / Double(1 << 53) * total
                    var low = 0
                    var high = cumulative.count - 1
                    while low < high {
                        let middle = (low + high) / 2
                        if cumulative[middle] < draw { low = middle + 1 } else { high = middle }
                    }
                    if lineLength > 0 {
                        text.append(0x20)
                        lineLength += 1
                    }
                    text.append(contentsOf: vocabulary[low])
                    lineLength += vocabulary[low].count
                }
                text.append(0x0A)
            }
            try Data(text).write(to: URL(fileURLWithPath: path))
            paths.append(path)
        }
        return paths
    }

    private static func makeWord(_ random: inout SeededRandom) -> [UInt8] {
        let length = 2 + Int(random.next() % 9)
        return (0..<length).map { position in
            let letter = UInt8(ascii: "a") + UInt8(random.next() % 26)
            return position == 0 && random.next() % 10 == 0 ? letter - 32 : letter
        }
    }
}
