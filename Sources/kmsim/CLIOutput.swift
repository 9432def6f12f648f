import ArgumentParser
import Foundation

/// Errors the CLI reports as one `error:` line and exit status 2 (bad input), never a trap.
enum CLIError: Error, CustomStringConvertible {
    case badInput(String)

    var description: String {
        switch self {
        case .badInput(let message): return message
        }
    }
}

/// Prints a value as pretty JSON with sorted keys on standard output.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(value)
    print(String(decoding: data, as: UTF8.self))
}

/// Writes `error: message` to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
}

/// Writes `warning: message` to standard error.
func printWarning(_ message: String) {
    FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
}

/// Writes `message` and a newline to standard error as it is (the argument parser's own messages
/// already start with `Error:`).
func printToStandardError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
