import Atomics
import Glibc

/// glibc malloc/free loops: the baselines the allocator benchmarks are compared with.
public enum GlibcBaselines {
    /// `malloc(size)` + write one byte + `free` per operation, on any number of threads.
    public static func mallocFree(size: Int) -> BenchmarkLoop {
        BenchmarkLoop { _, iterations in
            var addresses = 0
            for index in 0..<iterations {
                guard let pointer = malloc(size) else { continue }
                pointer.storeBytes(of: UInt8(truncatingIfNeeded: index), as: UInt8.self)
                addresses ^= Int(bitPattern: pointer)
                free(pointer)
            }
            blackHole(addresses)
        }
    }
}

/// Keeps `value` alive past the optimiser, so a measured loop cannot be deleted as dead code.
@inline(never)
func blackHole(_ value: Int) {
    BlackHole.sink.store(value, ordering: .relaxed)
}

enum BlackHole {
    static let sink = ManagedAtomic<Int>(0)
}
