// Runs the word-count job over this example's input in one process and prints the most frequent words.
//
//     swift run word-count-example [INPUT-DIR] [OUTPUT-DIR]
import Foundation
import Jobs
import MapReduce

let arguments = CommandLine.arguments.dropFirst()
let input = arguments.first ?? "Examples/WordCount/input"
let output = arguments.dropFirst().first ?? NSTemporaryDirectory() + "word-count-example-\(UUID().uuidString)"

do {
    let report = try SequentialRunner(configuration: JobConfiguration(reducers: 2)).run(wordCount, inputs: [input], output: output)
    var counts: [(word: String, count: Int)] = []
    for name in try FileManager.default.contentsOfDirectory(atPath: output).sorted() where name.hasPrefix("part-") {
        for line in try String(contentsOfFile: "\(output)/\(name)", encoding: .utf8).split(separator: "\n") {
            let fields = line.split(separator: " ")
            counts.append((String(fields[0]), Int(fields[1])!))
        }
    }
    print("most frequent words:")
    for (word, count) in counts.sorted(by: { ($0.count, $1.word) > ($1.count, $0.word) }).prefix(10) {
        print(String(repeating: " ", count: max(0, 8 - String(count).count)) + "\(count)  \(word)")
    }
    print(
        "\(report.job): \(report.inputRecords) lines, \(report.outputRecords) distinct words, \(report.mapTasks) map and \(report.reduceTasks) reduce tasks; output in \(output)"
    )
} catch {
    FileHandle.standardError.write(Data("word-count-example: \(error)\n".utf8))
    exit(1)
}
