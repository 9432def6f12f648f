import Foundation

/// The virtual clock's cost table: nanoseconds per `VirtualCost`, the defaults overridden by a
/// workload's `costs:` section. A value type indexed by the cost's raw value, so a charge is one load.
public struct CostTable: Sendable, Equatable {
    private var nanoseconds: [Int64]

    /// The published single-CPU defaults (`VirtualCost.defaultNanoseconds`).
    public static let defaults = CostTable()

    public init() {
        nanoseconds = VirtualCost.allCases.map(\.defaultNanoseconds)
    }

    /// The largest value an entry accepts: one simulated second per event keeps every sum far from overflow.
    public static let maximumNanoseconds: Int64 = 1_000_000_000

    public subscript(cost: VirtualCost) -> Int64 {
        get { nanoseconds[cost.rawValue] }
        set { nanoseconds[cost.rawValue] = newValue }
    }

    /// The entries that differ from the defaults, by key, in the table's order.
    public var overrides: [(key: String, nanoseconds: Int64)] {
        VirtualCost.allCases.compactMap { cost in
            self[cost] == cost.defaultNanoseconds ? nil : (cost.key, self[cost])
        }
    }

    /// The cost named `key` (as written in `costs:`), nil when there is none.
    public static func cost(named key: String) -> VirtualCost? {
        VirtualCost.allCases.first { $0.key == key }
    }

    /// The table as `kmsim costs` prints it: key, nanoseconds (and the default when overridden), source.
    public func rendered() -> String {
        let width = VirtualCost.allCases.map(\.key.count).max() ?? 0
        var lines = ["\("cost".padding(toLength: width, withPad: " ", startingAt: 0))        ns  source"]
        for cost in VirtualCost.allCases {
            var value = String(self[cost])
            if self[cost] != cost.defaultNanoseconds { value += " (default \(cost.defaultNanoseconds))" }
            let padded = String(repeating: " ", count: max(0, 10 - value.count)) + value
            lines.append("\(cost.key.padding(toLength: width, withPad: " ", startingAt: 0)) \(padded)  \(cost.source)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
