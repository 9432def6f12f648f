import Yams

/// Sets workload keys by path in a composed YAML tree, the way `kmsim sweep --set` changes a workload
/// before `WorkloadSpec.parse` validates it like any file.
enum SweepYAMLEdit {
    /// `root` with the key at `path` (dot-separated; a number indexes a list) set to `value`, itself read
    /// as YAML (so `8-1000`, `30%`, `[0, 1]` mean what they mean in a file). Missing mappings on the way
    /// are created; a list index must exist. The message of a thrown error does not name the flag.
    static func set(_ path: String, to value: String, in root: Node) throws(SweepError) -> Node {
        let valueNode: Node
        do {
            valueNode = try Yams.compose(yaml: value) ?? Node("", Tag(.null))
        } catch {
            throw SweepError("'\(value)' is not a YAML value")
        }
        let components = path.split(separator: ".").map(String.init)
        return try set(components[...], to: valueNode, in: root, walked: "")
    }

    private static func set(_ components: ArraySlice<String>, to value: Node, in node: Node, walked: String) throws(SweepError) -> Node {
        guard let first = components.first else { return value }
        let here = walked.isEmpty ? first : "\(walked).\(first)"
        let rest = components.dropFirst()
        switch node {
        case .mapping(var mapping):
            let child = mapping[first] ?? Node.mapping(Node.Mapping([]))
            mapping[first] = try set(rest, to: value, in: child, walked: here)
            return .mapping(mapping)
        case .sequence(var sequence):
            guard let index = Int(first), index >= 0 else {
                throw SweepError("'\(walked)' is a list, so '\(first)' must be an index such as 0")
            }
            guard index < sequence.count else {
                throw SweepError("'\(walked)' has \(sequence.count) item\(sequence.count == 1 ? "" : "s"), so there is no index \(index)")
            }
            sequence[index] = try set(rest, to: value, in: sequence[index], walked: here)
            return .sequence(sequence)
        case .scalar, .alias:
            let what = walked.isEmpty ? "the workload" : "'\(walked)'"
            throw SweepError("\(what) is a single value (\(WorkloadReader.describe(node))), not a mapping with a key '\(first)'")
        }
    }
}
