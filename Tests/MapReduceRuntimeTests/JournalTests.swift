import Foundation
import MapReduceRuntime
import MapReduceTesting
import Testing

@Suite struct JournalTests {
    @Test func entriesSurviveReopeningAndATornLastLineIsIgnored() throws {
        let directory = try TemporaryDirectory()
        let path = directory.appending("journal")
        do {
            let journal = try Journal(path: path)
            try journal.append(JournalEntry(event: .started, epoch: 0))
            try journal.append(JournalEntry(event: .mapLost, task: 3))
        }
        try Journal(path: path).append(JournalEntry(event: .started, epoch: 1))
        #expect(try Journal.read(path: path).map(\.event) == [.started, .mapLost, .started])
        // A crash in the middle of an append leaves a partial line: that event never happened.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"event":"map-comm"#.utf8))
        try handle.close()
        #expect(try Journal.read(path: path).count == 3)
        #expect(try Journal.read(path: directory.appending("absent")).isEmpty)
    }

    @Test func damageBeforeTheLastLineIsAnError() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("journal", "{\"event\":\"started\",\"epoch\":0}\nnot json\n{\"event\":\"started\",\"epoch\":1}\n")
        let error = try #require(throws: JournalError.self) { try Journal.read(path: path) }
        #expect(error.description.contains("line 2"))
    }
}
