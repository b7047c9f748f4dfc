import Foundation

/// How a plan is written to `job.json` (and hashed): every input file once, in `inputFiles`, and each map task as
/// a flat list of numbers, three per split (the file's index in `inputFiles`, the split's start and end).
///
/// A plan of 100,000 input files written as nested objects, one per split with its file's path and fingerprint,
/// was 37 MB of JSON whose encoding held 290 MB at its peak: the coordinator's largest allocation.
extension JobPlan {
    private enum CodingKeys: String, CodingKey {
        case version, job, parameters, rangeBoundaries, inputFiles, mapTasks, configuration, directory, output, step, steps, jobOutput, identity
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let files = try container.decode([InputFile].self, forKey: .inputFiles)
        let tasks = try container.decode([[Int64]].self, forKey: .mapTasks)
        func corrupt(_ problem: String) -> DecodingError {
            .dataCorruptedError(forKey: .mapTasks, in: container, debugDescription: "map task \(problem)")
        }
        var mapTasks: [[InputSplit]] = []
        mapTasks.reserveCapacity(tasks.count)
        for (task, numbers) in tasks.enumerated() {
            guard numbers.count % 3 == 0 else { throw corrupt("\(task) has \(numbers.count) numbers, not three per split") }
            mapTasks.append(
                try stride(from: 0, to: numbers.count, by: 3).map { at in
                    let (file, start, end) = (numbers[at], numbers[at + 1], numbers[at + 2])
                    guard (0..<Int64(files.count)).contains(file), start >= 0, start <= end else {
                        throw corrupt("\(task) has a split of file \(file) from \(start) to \(end), outside the plan's \(files.count) files")
                    }
                    return InputSplit(file: files[Int(file)], start: start, end: end)
                })
        }
        self.init(
            job: try container.decode(String.self, forKey: .job), parameters: try container.decodeIfPresent([String: String].self, forKey: .parameters) ?? [:],
            mapTasks: mapTasks, configuration: try container.decode(JobConfiguration.self, forKey: .configuration),
            directory: try container.decode(String.self, forKey: .directory), output: try container.decode(String.self, forKey: .output),
            rangeBoundaries: try container.decodeIfPresent([[UInt8]].self, forKey: .rangeBoundaries))
        version = try container.decode(Int.self, forKey: .version)
        step = try container.decodeIfPresent(Int.self, forKey: .step)
        steps = try container.decodeIfPresent(Int.self, forKey: .steps)
        jobOutput = try container.decodeIfPresent(String.self, forKey: .jobOutput)
        identity = try container.decodeIfPresent(String.self, forKey: .identity)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        var files: [InputFile] = []
        var fileIndex: [InputFile: Int64] = [:]
        let tasks = mapTasks.map { splits in
            splits.flatMap { split in
                let index =
                    fileIndex[split.file]
                    ?? {
                        files.append(split.file)
                        fileIndex[split.file] = Int64(files.count - 1)
                        return Int64(files.count - 1)
                    }()
                return [index, split.start, split.end]
            }
        }
        try container.encode(version, forKey: .version)
        try container.encode(job, forKey: .job)
        try container.encodeIfPresent(parameters, forKey: .parameters)
        try container.encodeIfPresent(rangeBoundaries, forKey: .rangeBoundaries)
        try container.encode(files, forKey: .inputFiles)
        try container.encode(tasks, forKey: .mapTasks)
        try container.encode(configuration, forKey: .configuration)
        try container.encode(directory, forKey: .directory)
        try container.encode(output, forKey: .output)
        try container.encodeIfPresent(step, forKey: .step)
        try container.encodeIfPresent(steps, forKey: .steps)
        try container.encodeIfPresent(jobOutput, forKey: .jobOutput)
        try container.encodeIfPresent(identity, forKey: .identity)
    }
}
