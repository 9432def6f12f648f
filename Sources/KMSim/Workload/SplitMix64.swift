/// The seeded generator behind every random choice of a run: SplitMix64 (Steele, Lea and Flood 2014,
/// the seeding generator of xoshiro), small and fast, so equal seeds replay the same run.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension SplitMix64 {
    /// A uniform draw from `0..<bound` (`bound > 0`) by Lemire's multiply-and-reject, the method
    /// `RandomNumberGenerator.next(upperBound:)` uses, written out so the runner's per-operation draws
    /// inline instead of calling the standard library's shared generic specialisation.
    @inline(__always)
    mutating func next(below bound: UInt64) -> UInt64 {
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return product.high
    }

    /// A uniform draw from `0..<1` with 53 random bits, as `Double.random(in: 0..<1)`.
    @inline(__always)
    mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}
