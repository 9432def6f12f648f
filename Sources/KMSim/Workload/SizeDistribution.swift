import Foundation

/// How large each allocation is: bytes for kmalloc, vmalloc and kvmalloc, a page order for alloc_pages.
///
/// The shapes the allocator benchmarks use: a fixed size (threadtest, xmalloc-test), uniform over a
/// range (larson: 8–1000 B), powers of two (mstress), lognormal (the long right tail of real kmalloc
/// size histograms) and Pareto (a few huge requests among many small ones, as glibc-thread's
/// inverse-square). Lognormal and Pareto samples are clamped to `minimum...maximum`, so a tail never
/// produces a request the API cannot take.
public enum SizeDistribution: Sendable, Equatable {
    case fixed(UInt64)
    /// Every value in `min...max` equally likely.
    case uniform(min: UInt64, max: UInt64)
    /// A power of two in `min...max` (both powers of two), each exponent equally likely.
    case powerOfTwo(min: UInt64, max: UInt64)
    /// `exp(mu + sigma·Z)` with Z standard normal, clamped; the median is `exp(mu)`.
    case lognormal(mu: Double, sigma: Double, min: UInt64, max: UInt64)
    /// `scale / U^(1/shape)` with U uniform in (0, 1], clamped: P(X > x) = (scale / x)^shape.
    case pareto(scale: Double, shape: Double, min: UInt64, max: UInt64)

    /// The 99th percentile of the standard normal distribution, for lognormal `median`/`p99` input.
    public static let normalQuantile99 = 2.3263478740408408

    /// A lognormal with the given median and 99th percentile (`p99 > median > 0`).
    public static func lognormal(median: Double, p99: Double, min: UInt64, max: UInt64) -> SizeDistribution {
        let mu = Foundation.log(median)
        return .lognormal(mu: mu, sigma: (Foundation.log(p99) - mu) / normalQuantile99, min: min, max: max)
    }

    /// The smallest value a sample can take.
    public var minimum: UInt64 {
        switch self {
        case .fixed(let value): return value
        case .uniform(let min, _), .powerOfTwo(let min, _): return min
        case .lognormal(_, _, let min, _), .pareto(_, _, let min, _): return min
        }
    }

    /// The largest value a sample can take.
    public var maximum: UInt64 {
        switch self {
        case .fixed(let value): return value
        case .uniform(_, let max), .powerOfTwo(_, let max): return max
        case .lognormal(_, _, _, let max), .pareto(_, _, _, let max): return max
        }
    }

    /// Draws one value. Generic over the generator so the runner's hot loop calls it without an
    /// existential or an allocation.
    public func sample<G: RandomNumberGenerator>(using generator: inout G) -> UInt64 {
        switch self {
        case .fixed(let value):
            return value
        case .uniform(let min, let max):
            return UInt64.random(in: min...max, using: &generator)
        case .powerOfTwo(let min, let max):
            let low = min.trailingZeroBitCount
            let high = max.trailingZeroBitCount
            return 1 << UInt64(Int.random(in: low...high, using: &generator))
        case .lognormal(let mu, let sigma, let min, let max):
            return Self.clamp(Foundation.exp(mu + sigma * Self.standardNormal(using: &generator)), min: min, max: max)
        case .pareto(let scale, let shape, let min, let max):
            let u = 1 - Double.random(in: 0..<1, using: &generator)
            return Self.clamp(scale / Foundation.pow(u, 1 / shape), min: min, max: max)
        }
    }

    /// Draws `count` values into `buffer`, deciding the distribution once rather than per value: the runner
    /// generates a batch's sizes this way before the batch's allocator calls.
    func fill(_ buffer: UnsafeMutablePointer<UInt64>, count: Int, using generator: inout SplitMix64) {
        switch self {
        case .fixed(let value):
            buffer.update(repeating: value, count: count)
        case .uniform(let min, let max) where max &- min < UInt64.max:
            let span = max &- min &+ 1
            for index in 0..<count { buffer[index] = min &+ generator.next(below: span) }
        default:
            for index in 0..<count { buffer[index] = sample(using: &generator) }
        }
    }

    /// Box–Muller: one standard normal from two uniforms.
    private static func standardNormal<G: RandomNumberGenerator>(using generator: inout G) -> Double {
        let u1 = 1 - Double.random(in: 0..<1, using: &generator)
        let u2 = Double.random(in: 0..<1, using: &generator)
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    private static func clamp(_ value: Double, min: UInt64, max: UInt64) -> UInt64 {
        guard value.isFinite, value < Double(max) else { return max }
        let rounded = value.rounded()
        return rounded <= Double(min) ? min : UInt64(rounded)
    }
}
