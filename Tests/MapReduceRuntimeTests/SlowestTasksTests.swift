import MapReduceTesting
import Testing

@testable import MapReduceRuntime

/// The status page's table of slowest tasks, selected in one pass: the same rows, in the same order, as sorting
/// every task would give (slowest first, ties in task order), whatever the order tasks are offered in.
@Suite struct SlowestTasksTests {
    @Test(arguments: [0, 1, 7, 99, 100, 101, 5_000])
    func theSelectionIsTheHeadOfTheFullSort(tasks: Int) {
        var random = SeededRandom(seed: UInt64(tasks))
        // Few distinct durations, so that many tie.
        let offered = (0..<tasks).map { number in
            (
                seconds: Double(Int.random(in: -1...40, using: &random)) / 4,
                key: JobHistory.Key(phase: Bool.random(using: &random) ? "map" : "reduce", number: number)
            )
        }
        var slowest = SlowestTasks(limit: 100)
        for task in offered.shuffled(using: &random) { slowest.offer(seconds: task.seconds, task.key) }
        let sorted = offered.sorted { $0.seconds > $1.seconds || ($0.seconds == $1.seconds && $0.key < $1.key) }
        #expect(slowest.keys == sorted.prefix(100).map(\.key))
    }
}
