/// Every benchmark `kmsim bench` knows, in the order it runs them. Each subsystem contributes a static
/// list (`PageAllocBenchmarks.all`, and the slab and vmalloc issues' own).
public enum BenchmarkRegistry {
    public static var all: [Benchmark] {
        PageAllocBenchmarks.all + SlabBenchmarks.all
    }

    /// The benchmarks whose name starts with or contains `filter` (all when nil or empty).
    public static func matching(_ filter: String?) -> [Benchmark] {
        guard let filter, !filter.isEmpty else { return all }
        return all.filter { $0.name.hasPrefix(filter) || $0.name.contains(filter) }
    }
}
