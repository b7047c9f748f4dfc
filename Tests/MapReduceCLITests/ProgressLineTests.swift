import Testing

@testable import MapReduceCLI

/// The progress line of `coordinator` and `local`.
@Suite struct ProgressLineTests {
    let status = ProgressLine.Status(phase: "map", done: 12, total: 40, inputBytes: 3 << 30, elapsed: 16.94, remaining: 39.4)

    @Test func showsPhaseTasksRateElapsedAndTimeLeft() {
        #expect(ProgressLine.render(status) == "map 12/40 tasks · 181.3 MiB/s · 17 s elapsed · ~39 s left")
    }

    /// Issue 23, item 6: the last line of a finished phase said "~3.2 s left".
    @Test func aFinishedPhaseHasNothingLeft() {
        var done = status
        done.done = 40
        #expect(ProgressLine.render(done) == "map 40/40 tasks · 181.3 MiB/s · 17 s elapsed")
    }

    @Test func leavesOutTheTimeLeftWhenUnknownAndTheRateBeforeAnyTime() {
        var start = status
        start.remaining = nil
        start.elapsed = 0
        #expect(ProgressLine.render(start) == "map 12/40 tasks · 0.0 MiB/s · 0.0 s elapsed")
    }

    @Test func minutesPastOneMinute() {
        var long = status
        long.elapsed = 125
        long.remaining = 3.25
        #expect(ProgressLine.render(long).hasSuffix("· 2 min 5 s elapsed · ~3.2 s left"))
    }

    @Test func aTerminalRewritesOneLineAndOtherwiseLinesAreAppended() {
        var terminal = ProgressLine(terminal: true)
        terminal.width = 20
        #expect(terminal.output(status) == "\rmap 12/40 tasks · 18\u{1B}[K")
        #expect(terminal.finish == "\n")
        let plain = ProgressLine(terminal: false)
        #expect(plain.output(status) == ProgressLine.render(status) + "\n")
        #expect(plain.finish.isEmpty)
        #expect(plain.interval == .seconds(10) && terminal.interval == .milliseconds(500))
    }

    @Test func theThrottleLetsOneLineThroughPerIntervalAndAlwaysTheLast() {
        let throttle = ProgressThrottle(interval: .seconds(60))
        #expect(throttle.due(final: false))
        #expect(!throttle.due(final: false))
        #expect(throttle.due(final: true))
    }
}
