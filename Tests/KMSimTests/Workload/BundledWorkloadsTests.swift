import Foundation
import Testing
@testable import KMSim

@Suite struct BundledWorkloadsTests {
    /// The source tree's Workloads/ folder, found from this file's path.
    static let workloadsDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Workloads")

    static func yamlFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: workloadsDirectory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    static let expectedNames = [
        "atomic-vs-sleeping", "block-io-noio", "cache-scratch", "dma-driver", "fs-writeback-nofs",
        "highorder-fragmentation", "larson", "llfree-bulk", "llfree-rand", "llfree-repeat", "netrx-failslab", "netrx-irq-storm", "numa-remote", "oom",
        "stress-highalloc", "vmalloc-module-load", "xmalloc",
    ]

    @Test func theIssueListsTheseWorkloads() {
        #expect(BundledWorkloads.names == Self.expectedNames)
        #expect(BundledWorkloads.names.contains(BundledWorkloads.defaultName))
    }

    @Test(arguments: expectedNames)
    func everyBundledWorkloadParsesAndValidates(name: String) throws {
        let parsed = try #require(try BundledWorkloads.load(named: name))
        #expect(parsed.spec.name == name)
        #expect(!parsed.spec.description.isEmpty)
        #expect(parsed.warnings.isEmpty, "\(parsed.warnings)")
        #expect(parsed.spec.machine.cpuCount <= 8)
        #expect(parsed.spec.machine.memoryPerNode <= 2 << 30)
        if case .duration(let seconds) = parsed.spec.length {
            #expect(seconds <= 6)
        }
    }

    @Test(arguments: expectedNames)
    func everyBundledWorkloadExplainsItselfInALeadingComment(name: String) throws {
        let text = try #require(BundledWorkloads.text(named: name))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first?.hasPrefix("# \(name) ") == true)
        let comment = lines.prefix { $0.hasPrefix("#") }
        #expect(comment.count >= 8)
        #expect(comment.contains { $0.contains("What it demonstrates") })
        #expect(comment.contains { $0.contains("What to look at in the report") })
    }

    /// The embedded copies equal Workloads/*.yaml byte for byte: rerun Scripts/embed-workloads.sh when
    /// this fails.
    @Test func embeddedCopiesMatchTheFiles() throws {
        let files = try Self.yamlFiles()
        #expect(files.map { $0.deletingPathExtension().lastPathComponent } == BundledWorkloads.names)
        for file in files {
            let name = file.deletingPathExtension().lastPathComponent
            let onDisk = try Data(contentsOf: file)
            let embedded = Data((BundledWorkloads.text(named: name) ?? "").utf8)
            #expect(onDisk == embedded, "Workloads/\(name).yaml differs from its embedded copy: run Scripts/embed-workloads.sh")
        }
    }

    @Test func theFilesOnDiskParseToTheSameSpecsAsTheEmbeddedCopies() throws {
        for file in try Self.yamlFiles() {
            let name = file.deletingPathExtension().lastPathComponent
            let fromDisk = try WorkloadSpec.load(contentsOfFile: file.path)
            #expect(fromDisk.spec == (try BundledWorkloads.load(named: name))?.spec)
        }
    }

    @Test func resolveFindsBundledNamesFilesAndTheDefault() throws {
        #expect(try BundledWorkloads.resolve(nil).spec.name == "atomic-vs-sleeping")
        #expect(try BundledWorkloads.resolve("larson").spec.seed == 4141)
        let path = Self.workloadsDirectory.appendingPathComponent("xmalloc.yaml").path
        #expect(try BundledWorkloads.resolve(path).spec.name == "xmalloc")
        #expect(throws: WorkloadSpecError.self) { try BundledWorkloads.resolve("larsen") }
        do {
            _ = try BundledWorkloads.resolve("larsen")
        } catch {
            #expect(error.errors.first?.message.contains("did you mean 'larson'?") == true)
        }
        #expect(throws: WorkloadSpecError.self) { try BundledWorkloads.resolve("/nonexistent/dir/x.yaml") }
    }

    @Test func entriesListEveryWorkloadWithItsDescription() {
        let entries = BundledWorkloads.entries()
        #expect(entries.map(\.name) == Self.expectedNames)
        #expect(entries.allSatisfy { !$0.description.isEmpty && !$0.description.hasPrefix("invalid") })
    }

    @Test func larsonHasMimallocBenchParameters() throws {
        let spec = try #require(try BundledWorkloads.load(named: "larson")).spec
        let group = try #require(spec.taskGroups.first)
        #expect(spec.seed == 4141)
        #expect(group.mix.map(\.allocation.size) == [.uniform(min: 8, max: 1000)])
        #expect(group.lifetime == .slots(5000))
        #expect(group.remoteFree.fraction > 0)
    }
}
