import Foundation

/// The status page: one self-contained HTML document (inline style, no scripts, no external assets) rendered on
/// the server from a ``JobOverview``. The coordinator serves it at `/`, refreshing itself; `report` writes the
/// same page from a finished job's `_events.jsonl`.
public enum StatusPage {
    /// What the page may load and run: nothing but its own inline style. No script runs, whatever text got in.
    public static let contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; form-action 'none'"

    /// The page for `overview`; `refreshSeconds` makes it reload itself that often (a live job).
    public static func render(_ overview: JobOverview, refreshSeconds: Int? = nil) -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="\(contentSecurityPolicy)">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            \(refreshSeconds.map { "<meta http-equiv=\"refresh\" content=\"\($0)\">\n" } ?? "")<title>\(escape(overview.job)): \(overview.phase)</title>
            <style>
            body{font:14px/1.4 system-ui,sans-serif;margin:1em;color:#222}h1{font-size:1.4em;margin:.2em 0}h2{font-size:1.1em;margin:1.2em 0 .3em}
            .wrap{overflow-x:auto}table{border-collapse:collapse;min-width:20em}td,th{padding:.2em .6em;border-bottom:1px solid #ddd;text-align:right;white-space:nowrap}
            td:first-child,th:first-child{text-align:left}.bar{background:#eee;height:.8em;width:100%;max-width:30em}.bar div{background:#4a8;height:100%}
            .failed{color:#b00}.succeeded{color:#070}.skewed{background:#fdd}.note{color:#666}pre{white-space:pre-wrap;margin:0}
            </style></head><body>
            <h1>\(escape(overview.job)) <span class="\(escape(overview.phase))" id="phase">\(escape(overview.phase))</span></h1>
            <p>elapsed \(duration(overview.elapsedSeconds))\(overview.remainingSeconds.map { ", about \(duration($0)) left" } ?? "")</p>

            """
        if let failure = overview.failure { html += "<h2 class=\"failed\">Why it failed</h2><pre class=\"failed\">\(escape(failure))</pre>\n" }
        if let steps = overview.steps {
            let running = steps.firstIndex { $0.state == "running" || $0.state == "failed" }
            let current = running.map { "step \($0 + 1) of \(steps.count), \(escape(steps[$0].name))" } ?? "all \(steps.count) steps done"
            html += "<h2>Steps</h2><p id=\"step\">\(current); the figures below are of \(running == nil ? "the last step" : "that step")</p>"
            html += "<div class=\"wrap\"><table><tr><th>step</th><th>name</th><th>state</th><th>time</th></tr>\n"
            for (index, step) in steps.enumerated() {
                html += "<tr><td>\(index + 1)</td><td>\(escape(step.name))</td><td class=\"\(escape(step.state))\">\(escape(step.state))</td>"
                html += "<td>\(step.seconds.map(duration) ?? "")</td></tr>\n"
            }
            html += "</table></div>\n"
        }
        html += "<h2>Progress</h2><div class=\"wrap\"><table><tr><th>phase</th><th>done</th><th>running</th><th>pending</th><th></th></tr>\n"
        for (name, progress) in [("map", overview.maps), ("reduce", overview.reduces)] {
            let share = progress.total > 0 ? 100 * progress.committed / progress.total : 0
            html += """
                <tr id="\(name)-progress"><td>\(name)</td><td>\(progress.committed) of \(progress.total)</td><td>\(progress.running)</td>\
                <td>\(progress.pending)</td><td><div class="bar"><div style="width:\(share)%"></div></div></td></tr>

                """
        }
        let totals = overview.totals
        html += """
            </table></div>
            <h2>Data</h2><div class="wrap"><table><tr><th></th><th>bytes</th><th>records</th><th>rate</th></tr>
            <tr><td>input</td><td>\(bytes(totals.inputBytes))</td><td>\(totals.inputRecords)</td><td>\(bytes(Int64(totals.inputBytesPerSecond)))/s</td></tr>
            <tr><td>intermediate</td><td>\(bytes(totals.intermediateBytes))</td><td>\(totals.intermediateRecords)</td><td></td></tr>
            <tr><td>output</td><td>\(bytes(totals.outputBytes))</td><td>\(totals.outputRecords)</td><td>\(bytes(Int64(totals.outputBytesPerSecond)))/s</td></tr>
            </table></div>

            """
        html += "<h2>Failed and lost attempts (\(overview.failureGroups.reduce(0) { $0 + $1.attempts.count }))</h2>\n"
        if overview.failureGroups.isEmpty { html += "<p class=\"note\">none</p>\n" }
        for group in overview.failureGroups {
            html += "<p><b>\(group.attempts.count) ×</b> <code>\(escape(group.error))</code></p><div class=\"wrap\"><table>"
            html += "<tr><th>task</th><th>attempt</th><th>worker</th><th>kind</th><th>message</th></tr>\n"
            for attempt in group.attempts {
                html += """
                    <tr><td>\(escape(attempt.task))</td><td>\(attempt.attempt.map(String.init) ?? "")</td><td>\(escape(attempt.worker ?? ""))</td>\
                    <td>\(attempt.kind)</td><td style="text-align:left;white-space:normal" class="failure-message">\(escape(attempt.message))</td></tr>

                    """
            }
            html += "</table></div>\n"
        }
        html += "<h2>Workers (\(overview.workers.count { $0.state == "alive" }) alive)</h2><div class=\"wrap\"><table>"
        html += "<tr><th>worker</th><th>state</th><th>last heard</th><th>running</th><th>committed</th></tr>\n"
        for worker in overview.workers {
            html += """
                <tr><td>\(escape(worker.name))</td><td>\(worker.state)</td><td>\(worker.lastHeardSecondsAgo.map { "\(duration($0)) ago" } ?? "")</td>\
                <td>\(escape(worker.current ?? ""))</td><td>\(worker.committed)</td></tr>

                """
        }
        html +=
            "</table></div>\n<h2>Reduce input per partition</h2><div class=\"wrap\"><table><tr><th>partition</th><th>bytes</th><th>records</th><th></th></tr>\n"
        for partition in overview.partitions {
            html += """
                <tr\(partition.skewed ? " class=\"skewed\"" : "")><td>\(partition.partition)</td><td>\(bytes(partition.bytes))</td>\
                <td>\(partition.records)</td><td>\(partition.skewed ? "skewed: over 1.5 × the 75th percentile" : "")</td></tr>

                """
        }
        html += "</table></div>\n<h2>Hottest keys</h2>"
        if overview.hottestKeys.isEmpty { html += "<p class=\"note\">none yet: reduce tasks report theirs when they commit</p>" }
        html += "<div class=\"wrap\"><table id=\"hot-keys\"><tr><th>key</th><th>values</th><th>partition</th></tr>\n"
        for hot in overview.hottestKeys {
            html += "<tr><td>\(escape(hot.key))</td><td>\(hot.records)</td><td>\(hot.partition)</td></tr>\n"
        }
        html += "</table></div>\n<h2>Tasks, the slowest \(JobOverview.taskRowLimit) first</h2><div class=\"wrap\"><table id=\"tasks\">"
        html += "<tr><th>task</th><th>state</th><th>attempts</th><th>worker</th><th>seconds</th><th>bytes in</th><th>records in</th>"
        html += "<th>bytes out</th><th>records out</th><th>spills</th></tr>\n"
        for task in overview.tasks {
            html += """
                <tr><td>\(escape(task.task))</td><td>\(task.state)</td><td>\(task.attempts)</td><td>\(escape(task.worker ?? ""))</td>\
                <td>\(task.seconds.map { String(format: "%.2f", $0) } ?? "")</td><td>\(task.inputBytes.map(bytes) ?? "")</td>\
                <td>\(task.inputRecords.map(String.init) ?? "")</td><td>\(task.outputBytes.map(bytes) ?? "")</td>\
                <td>\(task.outputRecords.map(String.init) ?? "")</td><td>\(task.spills.map(String.init) ?? "")</td></tr>

                """
        }
        html += "</table></div>\n"
        if overview.tasksNotShown > 0 {
            html += "<p class=\"note\">\(overview.tasksNotShown) more tasks not shown (not started, or faster than those above)</p>\n"
        }
        html += "<h2>Counters</h2>"
        if overview.counters.isEmpty { html += "<p class=\"note\">none</p>" }
        html += "<div class=\"wrap\"><table>"
        for (name, value) in overview.counters.sorted(by: { $0.key < $1.key }) { html += "<tr><td>\(escape(name))</td><td>\(value)</td></tr>" }
        html += "</table></div>\n<p class=\"note\">JSON: <code>/v1/job</code>; metrics: <code>/metrics</code></p>\n</body></html>\n"
        return html
    }

    /// `text` with `&`, `<`, `>` and quotes escaped for HTML, scalar by scalar: comparing characters would miss a
    /// `<` that a combining or prepended scalar (U+0600 before it) has joined into one grapheme cluster.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// `1.5 KiB`, `12.0 MiB`: bytes in binary units.
    static func bytes(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while abs(value) >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f %@", value, units[unit])
    }

    /// A duration for people, as the page and the progress line write it: `4.2 s`, `42 s`, `3 min 5 s`, `2 h 10 min`.
    public static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        if whole < 60 { return seconds < 10 ? String(format: "%.1f s", seconds) : "\(whole) s" }
        if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
        return "\(whole / 3600) h \(whole % 3600 / 60) min"
    }
}
