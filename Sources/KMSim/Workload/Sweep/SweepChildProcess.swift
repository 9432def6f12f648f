import Foundation

/// Runs a sweep point as a child process of the kmsim executable, `kmsim run POINT.yaml --json OUT
/// --quiet --clock C [--duration D]`, so `--jobs N` points run side by side without sharing a process.
public struct SweepChildProcess: Sendable {
    /// The kmsim executable.
    public var executable: URL
    /// Where point files and reports are written (removed by the caller).
    public var directory: URL

    public init(executable: URL, directory: URL) {
        self.executable = executable
        self.directory = directory
    }

    /// The running executable (`/proc/self/exe` on Linux), else `argv[0]`.
    public static func currentExecutable() -> URL {
        let procSelf = URL(fileURLWithPath: "/proc/self/exe")
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: procSelf.path) {
            return URL(fileURLWithPath: resolved)
        }
        return URL(fileURLWithPath: CommandLine.arguments.first ?? "kmsim")
    }

    public var runner: SweepPointRunner {
        { point, settings in try await run(point, settings) }
    }

    func run(_ point: SweepPlan.Point, _ settings: SweepRunSettings) async throws -> SweepPointOutcome {
        let workload = directory.appendingPathComponent("point-\(point.index).yaml")
        let report = directory.appendingPathComponent("point-\(point.index).json")
        let errors = directory.appendingPathComponent("point-\(point.index).stderr")
        try Data(point.yaml.utf8).write(to: workload)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let process = Process()
        process.executableURL = executable
        var arguments = ["run", workload.path, "--json", report.path, "--quiet", "--clock", settings.clock.rawValue]
        if let duration = settings.duration { arguments += ["--duration", duration] }
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        let errorHandle = try FileHandle(forWritingTo: errors)
        defer { try? errorHandle.close() }
        process.standardError = errorHandle
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { finished in continuation.resume(returning: finished.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: SweepError("cannot start \(executable.path): \(error.localizedDescription)"))
            }
        }
        let label = point.settings.map { "\($0.path)=\($0.value)" }.joined(separator: " ")
        guard status == 0 || status == 1, let json = FileManager.default.contents(atPath: report.path) else {
            let message = String(decoding: FileManager.default.contents(atPath: errors.path) ?? Data(), as: UTF8.self)
            throw SweepError("point \(point.index) (\(label)): kmsim run exited with status \(status)"
                             + (message.isEmpty ? "" : ":\n" + message.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        return SweepPointOutcome(reportJSON: json, exitStatus: status)
    }
}
