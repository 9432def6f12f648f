import Foundation

/// Runs a sweep point in this process, as `kmsim run POINT --json` would in a child: the tests' runner
/// (the CLI runs children, `SweepChildProcess`, so points can go in parallel without sharing a process).
public enum SweepInProcess {
    public static let runner: SweepPointRunner = { point, settings in
        let parsed: ParsedWorkload
        do throws(WorkloadSpecError) {
            parsed = try WorkloadSpec.parse(yaml: point.yaml, file: "point-\(point.index).yaml")
        } catch {
            throw SweepError(messages: error.errors.map(\.description))
        }
        var options = RunOptions()
        options.clock = settings.clock
        if let duration = settings.duration {
            guard let seconds = TimeSpan.parse(duration), seconds > 0 else {
                throw SweepError("--duration: found '\(duration)', expected a duration above zero such as 500ms, 4s or 2m")
            }
            options.durationSeconds = seconds
        }
        let runner = try WorkloadRunner(spec: parsed.spec, options: options)
        let result = await runner.run()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return SweepPointOutcome(reportJSON: try encoder.encode(result.report), exitStatus: result.exitStatus(failOnBug: false))
    }
}
