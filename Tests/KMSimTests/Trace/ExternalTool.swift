import Foundation

/// A program of the host the trace and HTML tests use when it is installed (headless Chromium, python3 with
/// Perfetto's protos), run under `timeout` so a hang fails the test instead of stalling it.
enum ExternalTool {
    /// The first of `names` found on PATH (or /usr/bin), nil when none is installed.
    static func find(_ names: [String]) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for name in names {
            for directory in path.split(separator: ":") + ["/usr/bin"] {
                let candidate = "\(directory)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }

    /// Runs `tool arguments` for at most `seconds`; returns its status and standard output.
    static func run(_ tool: String, _ arguments: [String], seconds: Int = 120) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: find(["timeout"]) ?? "/usr/bin/timeout")
        process.arguments = ["\(seconds)", tool] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static let chromium = find(["chromium", "chromium-browser", "google-chrome"])

    /// The first python3 that can import Perfetto's protos (`pip install perfetto protobuf`): `$KMSIM_PYTHON`
    /// (which .ci/run sets, since `swift test` runs tests with a PATH of its own that may miss the
    /// python3 pip installed into), then each python3 on PATH.
    static let pythonWithPerfetto: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        var candidates = ProcessInfo.processInfo.environment["KMSIM_PYTHON"].map { [$0] } ?? []
        candidates += path.split(separator: ":").map { "\($0)/python3" }.filter { FileManager.default.isExecutableFile(atPath: $0) }
        return candidates.first { python in
            let result = try? run(python, ["-c", "from perfetto.protos.perfetto.trace import perfetto_trace_pb2"], seconds: 60)
            return result?.status == 0
        }
    }()

    /// The repository's Scripts folder, from this file's path.
    static func script(_ name: String, file: String = #filePath) -> String {
        URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Scripts").appendingPathComponent(name).path
    }
}
