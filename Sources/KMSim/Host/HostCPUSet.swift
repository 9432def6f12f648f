import CNuma

/// A set of host CPU numbers read from a libnuma `struct bitmask`.
struct HostCPUSet {
    var cpus: [Int]

    init(bitmask: UnsafeMutablePointer<bitmask>) {
        let bits = Int(bitmask.pointee.size)
        cpus = (0..<bits).filter { numa_bitmask_isbitset(bitmask, UInt32($0)) != 0 }
    }
}
