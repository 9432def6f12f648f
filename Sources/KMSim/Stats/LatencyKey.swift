/// What an allocation latency is filed under: context kind × GFP class × size class.
public struct LatencyKey: Sendable, Hashable, Codable, CustomStringConvertible {
    public var kind: ExecutionContext.Kind
    public var gfpClass: GFPClass
    public var size: AllocationSizeClass

    public init(kind: ExecutionContext.Kind, gfpClass: GFPClass, size: AllocationSizeClass) {
        self.kind = kind
        self.gfpClass = gfpClass
        self.size = size
    }

    static let kinds = ExecutionContext.Kind.allCases
    static let slotCount = kinds.count * GFPClass.allCases.count * AllocationSizeClass.indexCount

    /// Dense slot number, so the record path indexes an array instead of hashing.
    @inline(__always)
    var slot: Int { Self.slotBase(kind: kind, gfpClass: gfpClass) + size.index }

    /// The first slot of a context kind × GFP class; its size classes follow (`+ size.index`). The runner
    /// computes it once per report class, so recording adds only the size class.
    @inline(__always)
    static func slotBase(kind: ExecutionContext.Kind, gfpClass: GFPClass) -> Int {
        let kindIndex = switch kind {
        case .task: 0
        case .softirq: 1
        case .hardirq: 2
        }
        return (kindIndex * GFPClass.allCases.count + gfpClass.rawValue) * AllocationSizeClass.indexCount
    }

    init(slot: Int) {
        let sizeIndex = slot % AllocationSizeClass.indexCount
        let rest = slot / AllocationSizeClass.indexCount
        kind = Self.kinds[rest / GFPClass.allCases.count]
        gfpClass = GFPClass(rawValue: rest % GFPClass.allCases.count) ?? .kernel
        size = AllocationSizeClass(index: sizeIndex)
    }

    public var description: String { "\(kind.rawValue) \(gfpClass) \(size)" }
}
