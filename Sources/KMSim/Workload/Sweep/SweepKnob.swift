/// One knob of a sweep: a workload key by its path and the values it takes, with the flag that gave it
/// (`--cpus`, `--nodes` or `--set PATH=...`) for messages.
public struct SweepKnob: Sendable, Equatable {
    /// The key's path in the workload: `machine.cpusPerNode`, `taskGroups.0.tasksPerCPU`.
    public var path: String
    /// Each value as YAML text, in the order given.
    public var values: [String]
    /// How the user wrote it: `--cpus 1,2,4`, `--set reclaim.swappiness=0,60`.
    public var flag: String

    public init(path: String, values: [String], flag: String) {
        self.path = path
        self.values = values
        self.flag = flag
    }

    /// `--cpus 1,2,4` (CPUs per node).
    public static func cpus(_ list: String) throws(SweepError) -> SweepKnob {
        try SweepKnob(path: "machine.cpusPerNode", values: values(list, flag: "--cpus \(list)"), flag: "--cpus \(list)")
    }

    /// `--nodes 1,2`.
    public static func nodes(_ list: String) throws(SweepError) -> SweepKnob {
        try SweepKnob(path: "machine.nodes", values: values(list, flag: "--nodes \(list)"), flag: "--nodes \(list)")
    }

    /// `--set KEY=V1,V2,...`.
    public static func set(_ argument: String) throws(SweepError) -> SweepKnob {
        let flag = "--set \(argument)"
        guard let equals = argument.firstIndex(of: "=") else {
            throw SweepError("\(flag): expected KEY=V1,V2,... such as machine.minFreeKbytes=8192,65536")
        }
        let path = String(argument[..<equals])
        let components = path.split(separator: ".", omittingEmptySubsequences: false)
        guard !path.isEmpty, components.allSatisfy({ !$0.isEmpty }) else {
            throw SweepError("\(flag): '\(path)' is not a key path; expected keys joined by dots such as machine.minFreeKbytes or taskGroups.0.tasksPerCPU")
        }
        return try SweepKnob(path: path, values: values(String(argument[argument.index(after: equals)...]), flag: flag), flag: flag)
    }

    /// Splits `V1,V2,...` at the commas outside brackets and braces, so a value may be a YAML flow list
    /// or mapping (`[0, 1],[2, 3]` is two values).
    static func values(_ list: String, flag: String) throws(SweepError) -> [String] {
        var values: [String] = []
        var current = ""
        var depth = 0
        for character in list {
            switch character {
            case "[", "{": depth += 1
            case "]", "}": depth -= 1
            default: break
            }
            if character == ",", depth == 0 {
                values.append(current.trimmingSpaces())
                current = ""
            } else {
                current.append(character)
            }
        }
        values.append(current.trimmingSpaces())
        if let empty = values.firstIndex(where: \.isEmpty) {
            throw SweepError("\(flag): value \(empty + 1) is empty; expected values separated by commas such as 1,2,4")
        }
        return values
    }
}

/// A sweep's bad input: the message names the flag; the CLI prints it and exits 2.
public struct SweepError: Error, Sendable, Equatable, CustomStringConvertible {
    public var messages: [String]

    public init(_ message: String) { messages = [message] }
    public init(messages: [String]) { self.messages = messages }

    public var description: String { messages.joined(separator: "\n") }
}

extension String {
    func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
