import Foundation
import MapReduceRuntime
import MapReduceTesting
import MapReduce
import Testing

@Suite struct JournalTests {
    func events(_ path: String) throws -> [JournalEntry.Event] { try Journal(path: path).entries.map(\.entry.event) }

    @Test func entriesSurviveReopening() throws {
        let directory = try TemporaryDirectory()
        let path = directory.appending("journal")
        do {
            let journal = try Journal(path: path)
            try journal.append(JournalEntry(event: .started, epoch: 0))
            try journal.append(JournalEntry(event: .mapLost, task: 3))
        }
        try Journal(path: path).append(JournalEntry(event: .started, epoch: 1))
        #expect(try events(path) == [.started, .mapLost, .started])
        #expect(try Journal(path: directory.appending("absent")).entries.isEmpty)
    }

    /// Today's bug: the torn line was skipped when read, but the next append joined it, and the restart after
    /// that refused the journal.
    @Test func aTornLastLineIsCutSoTheNextAppendStartsALineOfItsOwn() throws {
        let directory = try TemporaryDirectory()
        let path = directory.appending("journal")
        try Journal(path: path).append(JournalEntry(event: .started, epoch: 0))
        // A crash in the middle of an append leaves a partial line: that event never happened.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"event":"map-comm"#.utf8))
        try handle.close()
        let reopened = try Journal(path: path)
        #expect(reopened.entries.map(\.entry.event) == [.started])
        try reopened.append(JournalEntry(event: .started, epoch: 1))
        // The restart after that one still reads every entry.
        #expect(try events(path) == [.started, .started])
        #expect(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count == 2)
    }

    @Test func damageBeforeTheLastLineIsAnError() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("journal", "{\"event\":\"started\",\"epoch\":0}\nnot json\n{\"event\":\"started\",\"epoch\":1}\n")
        let error = try #require(throws: JournalError.self) { try Journal(path: path) }
        #expect(error.description.contains("line 2"))
    }

    /// Many commits at once share fsyncs (a group commit); each returns only once its entry is on disk, whole,
    /// and a caller's entries keep their order.
    @Test func concurrentCommitsAllReachTheFileAsWholeLinesInEachCallersOrder() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.appending("journal")
        let journal = try Journal(path: path)
        try journal.append(JournalEntry(event: .started, epoch: 0))
        let callers = 16
        let each = 25
        try await withThrowingTaskGroup(of: Void.self) { group in
            for caller in 0..<callers {
                group.addTask {
                    for index in 0..<each { try await journal.commit(JournalEntry(event: .mapLost, task: caller * 1000 + index)) }
                }
            }
            try await group.waitForAll()
        }
        let entries = try Journal(path: path).entries.map(\.entry)
        #expect(entries.count == 1 + callers * each)
        #expect(entries.first?.event == .started)
        for caller in 0..<callers {
            let tasks = entries.compactMap(\.task).filter { $0 / 1000 == caller }
            #expect(tasks == Array(caller * 1000..<(caller * 1000 + each)), "caller \(caller)'s entries in its order")
        }
    }
}
