/// One problem in a workload file, where it is: printed as `FILE:LINE:COLUMN: message`, the form
/// compilers use, so editors jump to it.
public struct WorkloadDiagnostic: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column, counted in Unicode scalars as libyaml counts them.
    public var column: Int
    /// What was found and what was expected.
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "\(file):\(line):\(column): \(message)" }
}

/// Why a workload could not be read: every error in the file (not only the first), and the warnings
/// seen on the way.
public struct WorkloadSpecError: Error, Sendable, Equatable, CustomStringConvertible {
    public var errors: [WorkloadDiagnostic]
    public var warnings: [WorkloadDiagnostic]

    public init(errors: [WorkloadDiagnostic], warnings: [WorkloadDiagnostic] = []) {
        self.errors = errors
        self.warnings = warnings
    }

    /// One error per line.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// A workload read from YAML, with the warnings to show (old GFP names, flags the kernel would strip).
public struct ParsedWorkload: Sendable, Equatable {
    public var spec: WorkloadSpec
    public var warnings: [WorkloadDiagnostic]
}
