import Testing
@testable import KMSim

/// Random byte mutations of the bundled files: whatever comes in, parsing returns a spec or positioned
/// errors, and never traps.
@Suite struct WorkloadFuzzTests {
    /// One random edit of the text's bytes: flip, insert, delete, duplicate or drop a line, truncate.
    static func mutate(_ bytes: inout [UInt8], using generator: inout SplitMix64) {
        guard !bytes.isEmpty else {
            bytes.append(UInt8.random(in: 0...255, using: &generator))
            return
        }
        let index = Int.random(in: 0..<bytes.count, using: &generator)
        let interesting: [UInt8] = Array(":-[]{},#&*!|>'\"%@`\t\n 0123456789".utf8)
        switch Int.random(in: 0..<7, using: &generator) {
        case 0: bytes[index] ^= UInt8(1) << UInt8.random(in: 0...7, using: &generator)
        case 1: bytes.insert(interesting.randomElement(using: &generator) ?? 0x20, at: index)
        case 2: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: index)
        case 3: bytes.remove(at: index)
        case 4:
            let lineStart = bytes[..<index].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
            let lineEnd = bytes[index...].firstIndex(of: 0x0A).map { $0 + 1 } ?? bytes.count
            let line = Array(bytes[lineStart..<lineEnd])
            if Bool.random(using: &generator) {
                bytes.insert(contentsOf: line, at: lineStart)
            } else {
                bytes.removeSubrange(lineStart..<lineEnd)
            }
        case 5: bytes[index] = interesting.randomElement(using: &generator) ?? 0x20
        default: bytes.removeSubrange(index...)
        }
    }

    @Test(arguments: BundledWorkloads.names)
    func mutatedBundledFilesNeverTrap(name: String) throws {
        let original = Array(try #require(BundledWorkloads.text(named: name)).utf8)
        var generator = SplitMix64(seed: UInt64(truncatingIfNeeded: name.utf8.reduce(5381) { ($0 &* 33) &+ Int($1) }))
        var rejected = 0
        for round in 0..<150 {
            var bytes = original
            for _ in 0...(round % 4) {
                Self.mutate(&bytes, using: &generator)
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let lineCount = text.split(separator: "\n", omittingEmptySubsequences: false).count
            do {
                let parsed = try WorkloadSpec.parse(yaml: text, file: "fuzz.yaml")
                Self.checkInvariants(of: parsed.spec)
            } catch {
                rejected += 1
                #expect(!error.errors.isEmpty)
                #expect(error.errors.count <= WorkloadReader.maximumErrors)
                for diagnostic in error.errors {
                    #expect(diagnostic.file == "fuzz.yaml")
                    #expect(diagnostic.line >= 1 && diagnostic.line <= lineCount + 1, "\(diagnostic)")
                    #expect(diagnostic.column >= 1)
                    #expect(!diagnostic.message.isEmpty)
                }
            }
        }
        #expect(rejected > 0)
    }

    /// What a spec that parsed promises the runner.
    static func checkInvariants(of spec: WorkloadSpec) {
        #expect((try? spec.machine.validate()) != nil)
        let cpus = 0..<spec.machine.cpuCount
        func inside(_ selection: CPUSelection?) -> Bool {
            switch selection {
            case nil, .all?: return true
            case .cpus(let list)?: return !list.isEmpty && list.allSatisfy(cpus.contains)
            case .nodes(let nodes)?: return !nodes.isEmpty && nodes.allSatisfy((0..<spec.machine.nodes).contains)
            }
        }
        for group in spec.taskGroups {
            #expect(inside(group.cpus) && inside(group.remoteFree.cpus))
            #expect(group.mix.contains { $0.weight > 0 })
            for entry in group.mix {
                #expect(entry.allocation.size.minimum <= entry.allocation.size.maximum)
                #expect((try? entry.allocation.gfp.flags.zone()) != nil)
            }
        }
        for source in spec.interrupts {
            #expect(inside(source.cpus) && source.ratePerSecond > 0)
            #expect(source.allocations.allSatisfy { !$0.allocation.gfp.flags.allowsBlocking && $0.allocation.api.isAllowedInInterrupt })
        }
        for user in spec.memoryUsers {
            #expect(inside(user.cpus) && user.bytes >= 4096)
        }
    }

    @Test func arbitraryBytesNeverTrap() {
        var generator = SplitMix64(seed: 99)
        for length in [0, 1, 2, 7, 64, 512] {
            for _ in 0..<40 {
                let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                #expect(throws: WorkloadSpecError.self) {
                    try WorkloadSpec.parse(yaml: String(decoding: bytes, as: UTF8.self), file: "noise.yaml")
                }
            }
        }
    }

    @Test func pathologicalInputsAreErrorsNotTraps() {
        let inputs = [
            String(repeating: "[", count: 5000),
            String(repeating: "- ", count: 3000) + "x",
            "a: &x [1]\nb: *x\n",
            "taskGroups: &g [{mix: [{api: kmalloc, size: 64}]}]\nmemoryUsers: *g\n",
            "\u{0}\u{1}\u{2}",
            "seed: 18446744073709551616\ntaskGroups: [{mix: [{api: kmalloc, size: 64}]}]",
            "machine: {nodes: 9223372036854775807, cpusPerNode: 9223372036854775807}\ntaskGroups: [{mix: [{api: kmalloc, size: 64}]}]",
            "machine: {zones: {node99999999999999999999: {DMA: 1}}}\ntaskGroups: [{mix: [{api: kmalloc, size: 64}]}]",
            "taskGroups: [{cpus: 0-9223372036854775807, mix: [{api: kmalloc, size: 18446744073709551615B}]}]",
            "taskGroups: [{mix: [{api: kmalloc, size: {distribution: lognormal, mu: 1e308, sigma: 1e308}}]}]",
            "--- a\n--- b\n",
        ]
        for input in inputs {
            #expect(throws: WorkloadSpecError.self, "\(input.prefix(40))") {
                try WorkloadSpec.parse(yaml: input, file: "odd.yaml")
            }
        }
    }
}
