/// HdrHistogram's bucket layout at two significant digits (the precision `LatencyReport` histograms use),
/// as plain index arithmetic over nanosecond values, so a recorder can count into a flat array and build
/// the `Histogram` when it is read.
///
/// The layout: 256 sub-buckets per bucket, the lower half of every bucket after the first shadowed by the
/// one before it, so index = (bucket + 1) · 128 + (value >> bucket) − 128 with bucket = the power of two
/// by which the value exceeds 255. Values are clamped to 2^40 ns (18 minutes), which bounds the array at
/// 4 352 counts.
enum LatencyBuckets {
    static let subBucketHalfCountMagnitude = 7
    static let subBucketHalfCount = 1 << subBucketHalfCountMagnitude
    static let subBucketMask: UInt64 = (1 << (subBucketHalfCountMagnitude + 1)) - 1
    static let largestValue: UInt64 = (1 << 40) - 1
    /// Counts needed to cover 0...`largestValue`.
    static let count = (bucket(of: largestValue) + 2) << subBucketHalfCountMagnitude

    @inline(__always)
    static func bucket(of value: UInt64) -> Int {
        (64 - subBucketHalfCountMagnitude - 1) - (value | subBucketMask).leadingZeroBitCount
    }

    /// The count index of `value` (clamped to `largestValue`).
    @inline(__always)
    static func index(of value: UInt64) -> Int {
        let clamped = min(value, largestValue)
        let bucket = bucket(of: clamped)
        return ((bucket + 1) << subBucketHalfCountMagnitude) + Int(clamped >> UInt64(bucket)) - subBucketHalfCount
    }

    /// The lowest value counted at `index`.
    static func lowestValue(at index: Int) -> UInt64 {
        var bucket = (index >> subBucketHalfCountMagnitude) - 1
        var subBucket = (index & (subBucketHalfCount - 1)) + subBucketHalfCount
        if bucket < 0 {
            subBucket -= subBucketHalfCount
            bucket = 0
        }
        return UInt64(subBucket) << UInt64(bucket)
    }
}
