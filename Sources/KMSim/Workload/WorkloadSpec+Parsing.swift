import Foundation
import Yams

extension WorkloadSpec {
    /// Reads and validates a workload file's text.
    ///
    /// Every problem is collected, each with the line and column of the node it is about, and thrown
    /// together; nothing here traps, whatever `yaml` holds. `file` is the name used in messages;
    /// `defaultName` (else `file` without directory and `.yaml`) is the name when the file has no `name:`.
    public static func parse(yaml: String, file: String, defaultName: String? = nil) throws(WorkloadSpecError) -> ParsedWorkload {
        var decoder = WorkloadDecoder(file: file, defaultName: defaultName ?? Self.name(fromPath: file))
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw WorkloadSpecError(errors: [Self.syntaxDiagnostic(error, file: file, yaml: yaml)])
        }
        guard let root else {
            decoder.reader.error("the file holds no YAML document; expected a mapping with keys \(WorkloadDecoder.topLevelKeys.joined(separator: ", "))", at: .start)
            throw WorkloadSpecError(errors: decoder.reader.errors)
        }
        let spec = decoder.decode(root)
        guard let spec, decoder.reader.errors.isEmpty else {
            throw WorkloadSpecError(errors: Self.inFileOrder(decoder.reader.errors), warnings: Self.inFileOrder(decoder.reader.warnings))
        }
        return ParsedWorkload(spec: spec, warnings: Self.inFileOrder(decoder.reader.warnings))
    }

    /// Diagnostics sorted by position, as a compiler lists them (the decoder finds some out of order:
    /// an allocation's API is checked before the keys above it).
    static func inFileOrder(_ diagnostics: [WorkloadDiagnostic]) -> [WorkloadDiagnostic] {
        diagnostics.enumerated().sorted {
            ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset)
        }.map(\.element)
    }

    /// Reads a workload file from disk; an unreadable file is one error at 1:1.
    public static func load(contentsOfFile path: String) throws(WorkloadSpecError) -> ParsedWorkload {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw WorkloadSpecError(errors: [WorkloadDiagnostic(file: path, line: 1, column: 1, message: "cannot read the file")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw WorkloadSpecError(errors: [WorkloadDiagnostic(file: path, line: 1, column: 1, message: "the file is not UTF-8 text")])
        }
        return try parse(yaml: text, file: path)
    }

    /// `Workloads/larson.yaml` → `larson`.
    static func name(fromPath path: String) -> String {
        let base = path.split(separator: "/").last.map(String.init) ?? path
        for suffix in [".yaml", ".yml"] where base.hasSuffix(suffix) && base.count > suffix.count {
            return String(base.dropLast(suffix.count))
        }
        return base
    }

    /// A Yams error as one diagnostic at libyaml's problem mark.
    static func syntaxDiagnostic(_ error: any Error, file: String, yaml: String) -> WorkloadDiagnostic {
        func at(_ position: YAMLPosition, _ message: String) -> WorkloadDiagnostic {
            WorkloadDiagnostic(file: file, line: position.line, column: position.column, message: message)
        }
        guard let yamlError = error as? YamlError else {
            return WorkloadDiagnostic(file: file, line: 1, column: 1, message: "YAML error: \(error)")
        }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            var message = "YAML syntax error: \(problem)"
            if let context {
                message += " (\(context.text) at \(context.mark.line):\(context.mark.column))"
            }
            return at(YAMLPosition(mark), message)
        case .reader(let problem, let offset, _, _):
            let position = offset.map { Self.position(ofCharacterOffset: $0, in: yaml) } ?? .start
            return at(position, "cannot read the text: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\(WorkloadReader.clip($0))'" }.joined(separator: ", ")
            return at(YAMLPosition(context.mark), "duplicate key \(keys) in one mapping: each key may appear once")
        default:
            return WorkloadDiagnostic(file: file, line: 1, column: 1, message: "YAML error: \(yamlError)")
        }
    }

    /// Line and column (1-based, in Unicode scalars) of a character offset.
    static func position(ofCharacterOffset offset: Int, in text: String) -> YAMLPosition {
        var line = 1
        var column = 1
        for character in text.prefix(max(offset, 0)) {
            if character.isNewline {
                line += 1
                column = 1
            } else {
                column += character.unicodeScalars.count
            }
        }
        return YAMLPosition(line: line, column: column)
    }
}
