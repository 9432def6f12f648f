import Testing
@testable import KMSim

/// A corpus of broken workload files, each with the error it must give: where (line:column) and what.
@Suite struct BrokenWorkloadTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var label: String
        var yaml: String
        /// (line, column, a fragment of the message) for each expected error, in order.
        var expected: [(Int, Int, String)]
        var testDescription: String { label }
    }

    /// The errors `yaml` gives, or none when it parses.
    static func errors(_ yaml: String) -> [WorkloadDiagnostic] {
        do {
            _ = try WorkloadSpec.parse(yaml: yaml, file: "broken.yaml")
            return []
        } catch {
            return error.errors
        }
    }

    static let minimalGroup = """
        taskGroups:
          - mix:
              - {api: kmalloc, size: 64}
        """

    static let cases: [Case] = [
        Case(label: "unknown key with a suggestion", yaml: """
            taskGroups:
              - name: a
                tasksPerCpu: 2
                mix:
                  - {api: kmalloc, size: 64}
            """, expected: [(3, 5, "unknown key 'tasksPerCpu' in task group 0, did you mean 'tasksPerCPU'? (allowed: name, cpus, tasksPerCPU,")]),
        Case(label: "unknown top-level key", yaml: "durration: 4s\n" + minimalGroup,
             expected: [(1, 1, "unknown key 'durration' in the workload, did you mean 'duration'?")]),
        Case(label: "wrong type: a list for a duration", yaml: "duration: [1, 2]\n" + minimalGroup,
             expected: [(1, 11, "duration: found a list, expected a duration above zero of at most 1000000s (about 11.6 days) such as 500ms, 4s or 2m")]),
        Case(label: "wrong type: text for a size", yaml: """
            taskGroups:
              - mix:
                  - api: kmalloc
                    size: twelve
            """, expected: [(4, 15, "size: found 'twelve', expected a size such as 64 or 4KiB")]),
        Case(label: "wrong type: a mapping for the mix", yaml: """
            taskGroups:
              - mix: {api: kmalloc, size: 64}
            """, expected: [(2, 10, "mix: found a mapping, expected a list of allocations")]),
        Case(label: "bad GFP token, reported at the token", yaml: """
            taskGroups:
              - gfp: GFP_KERNEL|__GFP_ZERO|GFP_KERNL
                mix:
                  - {api: kmalloc, size: 64}
            """, expected: [(2, 32, "gfp: unknown GFP flag 'GFP_KERNL'")]),
        Case(label: "bad GFP token in quotes", yaml: """
            taskGroups:
              - mix:
                  - {api: kmalloc, size: 64, gfp: "gfp_atomic"}
            """, expected: [(3, 40, "unknown GFP flag 'gfp_atomic': kernel names are case-sensitive, did you mean GFP_ATOMIC?")]),
        Case(label: "removed GFP flag", yaml: """
            taskGroups:
              - mix:
                  - api: kmalloc
                    size: 64
                    gfp: __GFP_HIGH | __GFP_ATOMIC
            """, expected: [(5, 27, "GFP flag '__GFP_ATOMIC' no longer exists")]),
        Case(label: "invalid zone combination", yaml: """
            taskGroups:
              - mix:
                  - api: allocPages
                    order: 1
                    gfp: GFP_KERNEL|__GFP_DMA|__GFP_HIGHMEM
            """, expected: [(5, 14, "gfp: 'GFP_KERNEL|__GFP_DMA|__GFP_HIGHMEM' has invalid zone modifiers __GFP_DMA|__GFP_HIGHMEM")]),
        Case(label: "impossible machine: every bad field reported at its node", yaml: """
            machine:
              nodes: 2
              cpusPerNode: 0
              memoryPerNode: 1MiB
              watermarkScaleFactor: 5000
            """ + "\n" + minimalGroup, expected: [
                (3, 16, "machine.cpusPerNode: a node needs at least 1 CPU, got 0"),
                (4, 18, "machine.memoryPerNode: at least 2MiB per node, got 1MiB"),
                (5, 25, "machine.watermarkScaleFactor: must be within 1...3000"),
            ]),
        Case(label: "impossible machine: distances and zones", yaml: """
            machine:
              nodes: 2
              memoryPerNode: 64MiB
              zones:
                node0: {DMA: 32MiB}
              distances: [[10, 21], [5, 10]]
            """ + "\n" + minimalGroup, expected: [
                (5, 18, "machine.zones.node0.DMA: ZONE_DMA ends at 16MiB on x86-64, got 32MiB"),
                (6, 26, "machine.distances[1][0]: remote distances lie within 11...254, got 5"),
            ]),
        Case(label: "CPU beyond the machine", yaml: """
            machine: {nodes: 1, cpusPerNode: 4}
            taskGroups:
              - cpus: [0, 2-5]
                mix:
                  - {api: kmalloc, size: 64}
            """, expected: [(3, 15, "cpus: found CPU 5, expected a CPU of the machine, 0...3 (1 node × 4 CPUs)")]),
        Case(label: "node beyond the machine", yaml: """
            machine: {nodes: 2, cpusPerNode: 2}
            taskGroups:
              - cpus: node2
                mix:
                  - {api: kmalloc, size: 64}
            """, expected: [(3, 11, "cpus: found node2, expected a node of the machine, node0...node1")]),
        Case(label: "weights summing to zero", yaml: """
            taskGroups:
              - mix:
                  - {api: kmalloc, size: 64, weight: 0}
                  - {api: kmalloc, size: 128, weight: 0}
            """, expected: [(3, 7, "mix: the weights add up to 0")]),
        Case(label: "negative weight", yaml: """
            taskGroups:
              - mix:
                  - {api: kmalloc, size: 64, weight: -1}
            """, expected: [(3, 42, "weight: found '-1', expected a weight of zero or more")]),
        Case(label: "min above max", yaml: """
            taskGroups:
              - mix:
                  - api: kmalloc
                    size: {distribution: uniform, min: 4KiB, max: 64}
            """, expected: [(4, 55, "size: found min 4KiB above max 64, expected min <= max")]),
        Case(label: "range shorthand min above max", yaml: """
            taskGroups:
              - mix:
                  - {api: kmalloc, size: 1000-8}
            """, expected: [(3, 30, "size: found min 1000 above max 8")]),
        Case(label: "kmalloc beyond KMALLOC_MAX_SIZE", yaml: """
            taskGroups:
              - mix:
                  - {api: kmalloc, size: 8MiB}
            """, expected: [(3, 30, "size: found 8MiB, expected a size within 1...4MiB")]),
        Case(label: "order beyond MAX_PAGE_ORDER", yaml: """
            taskGroups:
              - mix:
                  - {api: allocPages, order: 11}
            """, expected: [(3, 34, "order: found 11, expected a page order within 0...10")]),
        Case(label: "size given to alloc_pages", yaml: """
            taskGroups:
              - mix:
                  - {api: allocPages, size: 4KiB}
            """, expected: [(3, 27, "size: allocPages takes 'order', not 'size'")]),
        Case(label: "negative interrupt rate", yaml: """
            interrupts:
              - rate: -5
                allocations:
                  - {api: kmalloc, size: 64}
            """, expected: [(2, 11, "rate: found '-5', expected a rate within 0.001...1000000 per second")]),
        Case(label: "a sleeping mask in an interrupt handler", yaml: """
            interrupts:
              - rate: 100
                allocations:
                  - {api: kmalloc, size: 64, gfp: GFP_KERNEL}
            """, expected: [(4, 39, "gfp: 'GFP_KERNEL' has __GFP_DIRECT_RECLAIM and may sleep, expected a non-blocking mask")]),
        Case(label: "vmalloc in an interrupt handler", yaml: """
            interrupts:
              - rate: 100
                allocations:
                  - {api: vmalloc, size: 64KiB}
            """, expected: [(4, 15, "api: found vmalloc, expected kmalloc, kmemCache or allocPages in an interrupt handler")]),
        Case(label: "a bug without deliberate: true", yaml: """
            bugs:
              - kind: doubleFree
                rate: 1
            """, expected: [(2, 5, "bug 0: missing 'deliberate: true'")]),
        Case(label: "a bug marked deliberate: false", yaml: """
            bugs:
              - {kind: doubleFree, rate: 1, deliberate: false}
            """, expected: [(2, 45, "deliberate: found false, expected true")]),
        Case(label: "misspelt enumeration value", yaml: """
            taskGroups:
              - mix:
                  - {api: kmaloc, size: 64}
            """, expected: [(3, 15, "api: found 'kmaloc', expected one of kmalloc, kmemCache, allocPages, vmalloc, kvmalloc (did you mean 'kmalloc'?)")]),
        Case(label: "a percentage above 100%", yaml: """
            machine: {cpusPerNode: 2}
            taskGroups:
              - remoteFree: 130%
                mix:
                  - {api: kmalloc, size: 64}
            """, expected: [(3, 17, "remoteFree: found '130%', expected a percentage within 0%...100%")]),
        Case(label: "duration and operations together", yaml: "duration: 4s\noperations: 1000\n" + minimalGroup,
             expected: [(1, 1, "duration: give either duration or operations, not both")]),
        Case(label: "a kmem_cache declared twice with different sizes", yaml: """
            taskGroups:
              - mix:
                  - {api: kmemCache, cache: {name: dentry, objectSize: 192}}
                  - {api: kmemCache, cache: {name: dentry, objectSize: 256}}
            """, expected: [(4, 60, "cache.objectSize: cache 'dentry' was declared with objectSize 192 at line 3, found 256")]),
        Case(label: "two groups with one name", yaml: """
            taskGroups:
              - name: a
                mix: [{api: kmalloc, size: 64}]
              - name: a
                mix: [{api: kmalloc, size: 64}]
            """, expected: [(4, 11, "name: 'a' is already used at line 2")]),
        Case(label: "lognormal with mixed parameters", yaml: """
            taskGroups:
              - mix:
                  - api: kmalloc
                    size: {distribution: lognormal, mu: 5, median: 128}
            """, expected: [(4, 15, "size: a lognormal distribution takes either mu and sigma, or median and p99")]),
        Case(label: "remote frees with no other CPU to go to", yaml: """
            machine: {cpusPerNode: 4}
            taskGroups:
              - cpus: 0-1
                remoteFree: {fraction: 50%, cpus: [1]}
                mix: [{api: kmalloc, size: 64}]
            """, expected: [(4, 17, "remoteFree.cpus: CPU 1 allocates but the only CPU listed to free remotely is itself")]),
        Case(label: "an interrupt freeing remotely on its own CPU", yaml: """
            interrupts:
              - cpus: [1]
                rate: 100
                allocations:
                  - {api: kmalloc, size: 64, freedBy: remote, freeCPUs: 1}
            """, expected: [(5, 61, "freeCPUs: CPU 1 allocates but the only CPU listed to free remotely is itself")]),
        Case(label: "a handler allocation with several problems", yaml: """
            interrupts:
              - rate: 100
                allocations:
                  - api: kmalloc
                    size: 64
                    count: 0
                    lifetime: 1ms
                    cache: {name: dentry}
            """, expected: [
                (6, 16, "count: found '0', expected an integer within 1...1024"),
                (7, 9, "lifetime: an allocation freed in the handler lives only while the handler runs"),
                (8, 9, "cache: kmalloc takes 'size', not 'cache'"),
            ]),
        Case(label: "an operation count without tasks", yaml: """
            operations: 100
            memoryUsers: [{kind: anonymous, size: 1MiB}]
            """, expected: [(1, 1, "operations: counts the operations of taskGroups tasks, and there are none")]),
        Case(label: "nothing to run", yaml: "name: idle\n",
             expected: [(1, 1, "the workload has nothing to run")]),
        Case(label: "empty file", yaml: "",
             expected: [(1, 1, "the file holds no YAML document")]),
        Case(label: "not a mapping", yaml: "- larson\n",
             expected: [(1, 1, "the workload: found a list, expected a mapping with keys name, description, machine")]),
        Case(label: "YAML syntax error: unclosed flow list", yaml: """
            taskGroups:
              - mix: [{api: kmalloc, size: 64}
            seed: 1
            """, expected: [(3, 1, "YAML syntax error: did not find expected ',' or ']'")]),
        Case(label: "YAML syntax error: bad indentation", yaml: """
            taskGroups:
              - name: a
               mix: []
            """, expected: [(3, 4, "YAML syntax error:")]),
        Case(label: "reclaim: swappiness out of range and an unknown key", yaml: """
            reclaim:
              swappiness: 300
              swapSize: 1GiB
            """ + "\n" + minimalGroup, expected: [
                (2, 15, "swappiness: found '300', expected an integer within 0...200"),
                (3, 3, "unknown key 'swapSize' in reclaim"),
            ]),
        Case(label: "reclaim: io latency above a second", yaml: "reclaim: {ioLatency: 2s}\n" + minimalGroup,
             expected: [(1, 22, "ioLatency: found 2s, expected at most 1s per page")]),
        Case(label: "duplicate key", yaml: "seed: 1\nseed: 2\n" + minimalGroup,
             expected: [(1, 1, "duplicate key 'seed' in one mapping")]),
    ]

    @Test(arguments: cases)
    func brokenFileGivesItsError(_ testCase: Case) {
        let errors = Self.errors(testCase.yaml)
        #expect(errors.count == testCase.expected.count, "\(errors.map(\.description))")
        for (error, expected) in zip(errors, testCase.expected) {
            #expect(error.line == expected.0 && error.column == expected.1, "\(error)")
            #expect(error.message.contains(expected.2), "\(error)")
            #expect(error.description.hasPrefix("broken.yaml:\(error.line):\(error.column): "))
        }
    }

    /// One file, many problems: all are reported, in file order, not only the first.
    @Test func severalErrorsInOneFileAreAllReported() {
        let yaml = """
            machine:
              nodes: 1
              cpusPerNode: 2
            duration: soon
            taskGroups:
              - cpus: 0-7
                tasksPerCPU: 0
                gfp: GFP_KERNEL|__GFP_BOGUS
                mix:
                  - {api: kmalloc, size: 64, weight: 0}
                lifetime: sometimes
            interrupts:
              - rate: 0
                allocations:
                  - {api: kmalloc, size: 64, colour: blue}
            """
        let errors = Self.errors(yaml)
        let expected: [(Int, Int, String)] = [
            (4, 11, "duration: found 'soon'"),
            (6, 11, "cpus: found CPU 7"),
            (7, 18, "tasksPerCPU: found '0', expected an integer within 1...256"),
            (8, 21, "gfp: unknown GFP flag '__GFP_BOGUS'"),
            (10, 7, "mix: the weights add up to 0"),
            (11, 15, "lifetime: found 'sometimes'"),
            (13, 11, "rate: found '0'"),
            (15, 34, "unknown key 'colour' in handler allocation 0"),
        ]
        #expect(errors.map { "\($0.line):\($0.column)" } == expected.map { "\($0.0):\($0.1)" }, "\(errors.map(\.description))")
        for (error, fragment) in zip(errors, expected.map(\.2)) {
            #expect(error.message.contains(fragment), "\(error)")
        }
    }

    @Test func oldGFPNamesAreAcceptedWithAWarning() throws {
        let parsed = try WorkloadSpec.parse(yaml: """
            taskGroups:
              - gfp: __GFP_WAIT|__GFP_IO|__GFP_FS
                mix: [{api: kmalloc, size: 64}]
            """, file: "old.yaml")
        #expect(parsed.spec.taskGroups.first?.mix.first?.allocation.gfp.flags == .kernel)
        #expect(parsed.warnings.count == 1)
        #expect(parsed.warnings.first?.message.contains("__GFP_WAIT was renamed __GFP_RECLAIM") == true)
        #expect(parsed.warnings.first.map { ($0.line, $0.column) } ?? (0, 0) == (2, 10))
    }

    @Test func kmallocWithHighMemWarnsAsKmallocFixFlagsWould() throws {
        let parsed = try WorkloadSpec.parse(yaml: """
            taskGroups:
              - mix: [{api: kmalloc, size: 64, gfp: GFP_KERNEL|__GFP_HIGHMEM}]
            """, file: "w.yaml")
        #expect(parsed.warnings.map(\.message).contains { $0.contains("kmalloc_fix_flags") })
    }
}
