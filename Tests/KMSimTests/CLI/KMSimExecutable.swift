import Foundation
import Testing

/// The `kmsim` executable `swift test` builds beside the test bundle, run as a user would run it.
enum KMSimExecutable {
    /// Where the executable is; a test that needs it fails (with the places looked in) when it is missing.
    static func url() throws -> URL {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [directory.appendingPathComponent("kmsim"), directory.deletingLastPathComponent().appendingPathComponent("kmsim"),
                          directory.appendingPathComponent("../../kmsim").standardized]
        return try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) },
                            "the kmsim executable is built beside the tests by `swift test`; looked in \(candidates.map(\.path))")
    }

    /// Runs `kmsim arguments` (through `launcher launcherArguments` when given, e.g. taskset) and returns
    /// its exit status, standard output and standard error.
    static func run(_ arguments: [String], launcher: String? = nil, launcherArguments: [String] = [])
        throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        let kmsim = try url()
        if let launcher {
            process.executableURL = URL(fileURLWithPath: launcher)
            process.arguments = launcherArguments + [kmsim.path] + arguments
        } else {
            process.executableURL = kmsim
            process.arguments = arguments
        }
        let errorsFile = FileManager.default.temporaryDirectory.appendingPathComponent("kmsim-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errorsFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorsFile) }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errorsFile)
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errors = (try? String(contentsOf: errorsFile, encoding: .utf8)) ?? ""
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), errors)
    }

    /// The JSON document that starts at the first `{` or `[` of `text`.
    static func json(in text: String) throws -> Any {
        let start = try #require(text.firstIndex { $0 == "{" || $0 == "[" }, "no JSON in: \(text.prefix(300))")
        return try JSONSerialization.jsonObject(with: Data(text[start...].utf8))
    }
}
