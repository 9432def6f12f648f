import Yams

/// Walks the node tree `Yams.compose(yaml:)` builds, reading typed values and recording every problem
/// with the line and column of the node it is about.
///
/// Codable decoding would stop at the first error and knows only a coding path, not a position; this
/// reader keeps going after an error (a value that cannot be read becomes nil and the caller skips what
/// depends on it), so one run reports everything wrong in a file.
struct WorkloadReader {
    let file: String
    private(set) var errors: [WorkloadDiagnostic] = []
    private(set) var warnings: [WorkloadDiagnostic] = []

    /// Past this many errors the rest are dropped: a binary file fed by mistake should not print
    /// thousands of lines.
    static let maximumErrors = 100

    init(file: String) { self.file = file }

    // MARK: Diagnostics

    mutating func error(_ message: String, at position: YAMLPosition) {
        guard errors.count < Self.maximumErrors else { return }
        errors.append(diagnostic(message, at: position))
    }

    mutating func error(_ message: String, at node: Node) { error(message, at: YAMLPosition(node.mark)) }

    mutating func warning(_ message: String, at node: Node) {
        warnings.append(diagnostic(message, at: YAMLPosition(node.mark)))
    }

    private func diagnostic(_ message: String, at position: YAMLPosition) -> WorkloadDiagnostic {
        WorkloadDiagnostic(file: file, line: position.line, column: position.column, message: message)
    }

    // MARK: Structure

    /// The node as a mapping whose keys are all in `allowed`; unknown keys are reported (with the
    /// closest allowed key) and left out.
    mutating func mapping(_ node: Node, _ what: String, allowed: [String]) -> YAMLMapping? {
        guard case .mapping(let mapping) = node else {
            error("\(what): found \(Self.describe(node)), expected a mapping with keys \(allowed.joined(separator: ", "))", at: node)
            return nil
        }
        var entries: [YAMLMapping.Entry] = []
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                error("\(what): found \(Self.describe(key)) as a key, expected one of \(allowed.joined(separator: ", "))", at: key)
                continue
            }
            let name = scalar.string
            guard allowed.contains(name) else {
                var message = "unknown key '\(Self.clip(name))' in \(what)"
                if let suggestion = KeySuggestion.closest(to: name, in: allowed) {
                    message += ", did you mean '\(suggestion)'?"
                }
                message += " (allowed: \(allowed.joined(separator: ", ")))"
                error(message, at: key)
                continue
            }
            entries.append(YAMLMapping.Entry(name: name, key: key, value: value))
        }
        return YAMLMapping(node: node, what: what, entries: entries)
    }

    /// The node as a list of at most `maximumCount` items; a single value where a list is expected is
    /// reported. The bound keeps aliases (`*name`, which Yams resolves to the anchored node) from
    /// multiplying a small file into millions of entries.
    mutating func sequence(_ node: Node, _ what: String, expected: String, maximumCount: Int = 1024) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            error("\(what): found \(Self.describe(node)), expected a list of \(expected)", at: node)
            return nil
        }
        guard sequence.count <= maximumCount else {
            error("\(what): found \(sequence.count) items, expected at most \(maximumCount)", at: node)
            return nil
        }
        return Array(sequence)
    }

    /// A required key's value, or an error at the mapping.
    mutating func require(_ mapping: YAMLMapping, _ key: String) -> Node? {
        if let value = mapping[key] { return value }
        error("\(mapping.what): missing key '\(key)'", at: mapping.node)
        return nil
    }

    // MARK: Scalars

    /// The text of a scalar node; anything else is reported as not what `expected` describes.
    mutating func scalarText(_ node: Node, _ key: String, expected: String) -> String? {
        guard case .scalar(let scalar) = node, !Self.isNull(node) else {
            error("\(key): found \(Self.describe(node)), expected \(expected)", at: node)
            return nil
        }
        return scalar.string
    }

    /// A scalar parsed by `parse`; when it returns nil the message says what was found and `expected`.
    mutating func value<T>(_ node: Node, _ key: String, expected: String, _ parse: (String) -> T?) -> T? {
        guard let text = scalarText(node, key, expected: expected) else { return nil }
        guard let value = parse(text) else {
            error("\(key): found '\(Self.clip(text))', expected \(expected)", at: node)
            return nil
        }
        return value
    }

    mutating func string(_ node: Node, _ key: String) -> String? {
        scalarText(node, key, expected: "a string")
    }

    mutating func int(_ node: Node, _ key: String, in range: ClosedRange<Int>) -> Int? {
        let expected = "an integer within \(range.lowerBound)...\(range.upperBound)"
        return value(node, key, expected: expected) { text in
            Int(text.replacingUnderscores()).flatMap { range.contains($0) ? $0 : nil }
        }
    }

    mutating func uint64(_ node: Node, _ key: String) -> UInt64? {
        value(node, key, expected: "a non-negative integer") { UInt64($0.replacingUnderscores()) }
    }

    mutating func double(_ node: Node, _ key: String, expected: String, where isValid: (Double) -> Bool) -> Double? {
        value(node, key, expected: expected) { text in
            Double(text.replacingUnderscores()).flatMap { $0.isFinite && isValid($0) ? $0 : nil }
        }
    }

    mutating func bool(_ node: Node, _ key: String) -> Bool? {
        value(node, key, expected: "true or false") { ["true": true, "false": false][$0.lowercased()] }
    }

    /// A byte count: `64`, `4KiB`, `2MiB` (`ByteSize`), within `range`.
    mutating func bytes(_ node: Node, _ key: String, in range: ClosedRange<UInt64>) -> UInt64? {
        guard let bytes = value(node, key, expected: "a byte size such as 64, 4KiB or 2MiB", { ByteSize.parse($0.replacingUnderscores()) }) else {
            return nil
        }
        guard range.contains(bytes) else {
            let bound = "\(ByteSize.format(range.lowerBound))...\(ByteSize.format(range.upperBound))"
            error("\(key): found \(ByteSize.format(bytes)), expected a size within \(bound)", at: node)
            return nil
        }
        return bytes
    }

    /// A duration in seconds: `500ms`, `4s`, `2m` (`TimeSpan`), at most `TimeSpan.maximumSeconds`; zero
    /// allowed only when `allowZero`.
    mutating func seconds(_ node: Node, _ key: String, allowZero: Bool = false) -> Double? {
        value(node, key, expected: TimeSpan.expected(allowZero: allowZero)) { TimeSpan.parseDuration($0, allowZero: allowZero) }
    }

    /// A share: `30%` or `0.3`.
    mutating func fraction(_ node: Node, _ key: String) -> Double? {
        value(node, key, expected: "a percentage within 0%...100% such as 30% (or a fraction within 0...1)", Percentage.parse)
    }

    /// Events per second: `20000` or `20000/s`, within `range` (whose lower bound is above zero).
    mutating func rate(_ node: Node, _ key: String, in range: ClosedRange<Double>) -> Double? {
        let expected = "a rate within \(Rate.format(range.lowerBound))...\(Rate.format(range.upperBound)) per second such as 2000 or 2000/s"
        return value(node, key, expected: expected) { text in
            Rate.parsePerSecond(text.replacingUnderscores()).flatMap { range.contains($0) ? $0 : nil }
        }
    }

    /// One of a fixed set of names; a near miss gets a suggestion.
    mutating func choice<T>(_ node: Node, _ key: String, _ choices: [(String, T)]) -> T? {
        guard let text = scalarText(node, key, expected: "one of " + choices.map(\.0).joined(separator: ", ")) else { return nil }
        if let match = choices.first(where: { $0.0 == text }) { return match.1 }
        var message = "\(key): found '\(Self.clip(text))', expected one of \(choices.map(\.0).joined(separator: ", "))"
        if let suggestion = KeySuggestion.closest(to: text, in: choices.map(\.0)) {
            message += " (did you mean '\(suggestion)'?)"
        }
        error(message, at: node)
        return nil
    }

    // MARK: Describing what was found

    /// What a node is, for "found ..." messages.
    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            return isNull(node) ? "nothing (null)" : "'\(clip(scalar.string))'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    /// A plain `~`, `null` or empty scalar: YAML's null.
    static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// Long values shortened so a message stays on one line.
    static func clip(_ text: String) -> String {
        let lines = text.split(whereSeparator: \.isNewline)
        let first = lines.first.map(String.init) ?? ""
        if first.count > 60 { return String(first.prefix(57)) + "..." }
        return lines.count > 1 ? first + "..." : first
    }
}

/// A 1-based line and column; Yams' `Mark` cannot be made outside Yams, and a node without one
/// (there are none from the parser, but the type allows it) is placed at 1:1.
struct YAMLPosition: Equatable {
    var line: Int
    var column: Int

    init(line: Int, column: Int) {
        self.line = max(line, 1)
        self.column = max(column, 1)
    }

    init(_ mark: Mark?) { self.init(line: mark?.line ?? 1, column: mark?.column ?? 1) }

    static let start = YAMLPosition(line: 1, column: 1)
}

/// A mapping's recognised entries, by key.
struct YAMLMapping {
    struct Entry {
        var name: String
        var key: Node
        var value: Node
    }

    let node: Node
    /// What the mapping is, for messages ("a task group", "the machine").
    let what: String
    let entries: [Entry]

    subscript(_ key: String) -> Node? { entries.first { $0.name == key }?.value }

    /// The key node, for errors about a key's presence rather than its value.
    func keyNode(_ key: String) -> Node? { entries.first { $0.name == key }?.key }

    func has(_ key: String) -> Bool { self[key] != nil }
}

extension String {
    /// `1_000_000` → `1000000`: YAML 1.1 allows underscores in numbers, and long counts read better.
    func replacingUnderscores() -> String { filter { $0 != "_" } }
}
