import Foundation
import Yams

/// What `kmsim sweep` runs: one workload text and the cross product of its knobs' values, each point a
/// complete workload file validated like any other before anything runs.
public struct SweepPlan: Sendable {
    /// One run of the sweep: its index in the cross product, each knob's value, and the workload text
    /// with those values set.
    public struct Point: Sendable, Equatable {
        public var index: Int
        /// `(path, value)` in the knobs' order.
        public var settings: [Setting]
        public var yaml: String

        public struct Setting: Sendable, Equatable {
            public var path: String
            public var value: String
        }

        /// The knobs as the JSON document records them.
        public var knobsJSON: JSONValue {
            .object(Dictionary(settings.map { ($0.path, JSONValue.knob($0.value)) }, uniquingKeysWith: { _, last in last }))
        }
    }

    public var workloadName: String
    /// The most points one sweep expands to: every point is a workload text held in memory until run.
    public static let maximumPoints = 100_000
    public var knobs: [SweepKnob]
    public var points: [Point]

    /// Expands and validates every point. A point that fails is blamed on the knob values that make the
    /// workload invalid on their own (named by their flag); when none does, the combination is at fault
    /// and the point is named with every knob. Values valid only together (`slubMinOrder=10` with
    /// `slubMaxOrder=10`) are fine.
    public init(source: SweepSource, knobs: [SweepKnob]) throws(SweepError) {
        var messages: [String] = []
        var seen: [String: String] = [:]
        for knob in knobs {
            if let other = seen[knob.path] {
                messages.append("\(knob.flag): \(knob.path) is already swept by \(other)")
            }
            seen[knob.path] = knob.flag
        }
        if !messages.isEmpty { throw SweepError(messages: messages) }
        var count = 1
        for knob in knobs {
            let (product, overflow) = count.multipliedReportingOverflow(by: knob.values.count)
            guard !overflow, product <= Self.maximumPoints else {
                throw SweepError("\(knobs.map(\.flag).joined(separator: " ")): more than \(Self.maximumPoints) points; sweep fewer values at once (or split the sweep)")
            }
            count = product
        }
        var points: [Point] = []
        var aloneErrors: [String: [String]] = [:]
        func alone(_ knob: SweepKnob, _ value: String) -> [String] {
            let key = knob.path + "\u{0}" + value
            if let known = aloneErrors[key] { return known }
            var found: [String] = []
            do throws(SweepError) {
                _ = try Self.workload(source, [Point.Setting(path: knob.path, value: value)])
            } catch {
                found = error.messages.map { "\(knob.flag): \(knob.path)=\(value): \($0)" }
            }
            aloneErrors[key] = found
            return found
        }
        for (index, combination) in Self.crossProduct(knobs.map(\.values)).enumerated() {
            let settings = zip(knobs, combination).map { Point.Setting(path: $0.path, value: $1) }
            do throws(SweepError) {
                points.append(Point(index: index, settings: settings, yaml: try Self.workload(source, settings)))
            } catch {
                let blamed = zip(knobs, combination).flatMap { alone($0, $1) }
                if blamed.isEmpty {
                    let label = settings.map { "\($0.path)=\($0.value)" }.joined(separator: " ")
                    messages += error.messages.map { "point \(index) (\(label)): \($0)" }
                } else {
                    messages += blamed.filter { !messages.contains($0) }
                }
            }
        }
        if !messages.isEmpty { throw SweepError(messages: messages) }
        workloadName = source.name
        self.knobs = knobs
        self.points = points
    }

    /// Every combination, the first list varying slowest (as nested loops over the flags in order).
    /// No lists give one empty combination: a sweep without knobs runs the workload once.
    static func crossProduct(_ lists: [[String]]) -> [[String]] {
        var combinations: [[String]] = [[]]
        for list in lists {
            combinations = combinations.flatMap { prefix in list.map { prefix + [$0] } }
        }
        return combinations
    }

    /// The workload text with `settings` applied, checked by `WorkloadSpec.parse`; its errors (whose
    /// lines are those of the generated text, so only their messages are kept) are thrown.
    static func workload(_ source: SweepSource, _ settings: [Point.Setting]) throws(SweepError) -> String {
        var root: Node
        do {
            guard let composed = try Yams.compose(yaml: source.text) else { throw SweepError("the workload is empty") }
            root = composed
        } catch let error as SweepError {
            throw error
        } catch {
            throw SweepError("the workload is not valid YAML: \(error)")
        }
        if case .mapping(var mapping) = root, mapping["name"] == nil {
            mapping["name"] = Node(source.name)
            root = .mapping(mapping)
        }
        for setting in settings {
            root = try SweepYAMLEdit.set(setting.path, to: setting.value, in: root)
        }
        let text: String
        do {
            text = try Yams.serialize(node: root)
        } catch {
            throw SweepError("cannot write the changed workload as YAML: \(error)")
        }
        do throws(WorkloadSpecError) {
            _ = try WorkloadSpec.parse(yaml: text, file: source.file, defaultName: source.name)
        } catch {
            throw SweepError(messages: error.errors.map(\.message))
        }
        return text
    }

    /// The points shard `index` of `count` runs: every `count`-th starting at `index`.
    public func shard(_ index: Int, of count: Int) -> [Point] {
        points.filter { $0.index % count == index }
    }
}

/// The workload a sweep varies: its YAML text, the file name messages use, and its name.
public struct SweepSource: Sendable {
    public var text: String
    public var file: String
    public var name: String

    public init(text: String, file: String, name: String) {
        self.text = text
        self.file = file
        self.name = name
    }

    /// A bundled name or a file path, resolved as `kmsim run` does; the workload is parsed once here so
    /// a broken file is reported with its own lines and columns.
    public static func resolve(_ argument: String) throws(WorkloadSpecError) -> (SweepSource, ParsedWorkload) {
        let parsed = try BundledWorkloads.resolve(argument)
        if let text = BundledWorkloads.text(named: argument), !Self.looksLikePath(argument) {
            return (SweepSource(text: text, file: BundledWorkloads.path(named: argument), name: argument), parsed)
        }
        guard let data = FileManager.default.contents(atPath: argument) else {
            throw WorkloadSpecError(errors: [WorkloadDiagnostic(file: argument, line: 1, column: 1, message: "cannot read the file")])
        }
        return (SweepSource(text: String(decoding: data, as: UTF8.self), file: argument, name: parsed.spec.name), parsed)
    }

    static func looksLikePath(_ argument: String) -> Bool {
        argument.contains("/") || argument.hasSuffix(".yaml") || argument.hasSuffix(".yml")
    }
}
