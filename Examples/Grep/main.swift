// Runs the distributed-grep job in one process over this example's logs and prints the matching lines as JSON
// Lines (file, line number, text).
//
//     swift run grep-example [PATTERN] [INPUT-DIR] [OUTPUT-DIR]
import Foundation
import Jobs
import MapReduce

let arguments = Array(CommandLine.arguments.dropFirst())
let pattern = arguments.first ?? #"(ERROR|WARN).*timeout"#
let input = arguments.count > 1 ? arguments[1] : "Examples/Grep/input"
let output = arguments.count > 2 ? arguments[2] : NSTemporaryDirectory() + "grep-example-\(UUID().uuidString)"

do {
    let report = try SequentialRunner().run(try grep(pattern: pattern), inputs: [input], output: output)
    print(try String(contentsOfFile: "\(output)/part-00000", encoding: .utf8), terminator: "")
    print("grep /\(pattern)/: \(report.outputRecords) of \(report.inputRecords) lines match; output in \(output)")
} catch {
    FileHandle.standardError.write(Data("grep-example: \(error)\n".utf8))
    exit(1)
}
