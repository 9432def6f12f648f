import Foundation
import Testing
@testable import KMSim

/// Whether this host lets an unprivileged test make a private mount namespace and bind-mount over
/// /proc/slabinfo (needs CAP_SYS_ADMIN or user namespaces); checked by trying it.
let canBindMountProc: Bool = {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
    process.arguments = ["-m", "sh", "-c", "mount --bind /dev/null /proc/slabinfo"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    do {
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/slabtop")
    } catch {
        return false
    }
}()

@Suite struct SlabInfoTests {
    @Test func layoutIsVersionTwoPointOneByteForByte() throws {
        let machine = try SlabTestMachine()
        let context = ExecutionContext.task(cpu: 0)
        let cache = try #require(machine.slab.kmemCacheCreate(name: "a-rather-long-cache-name", size: 200))
        var objects: [UnsafeMutableRawPointer] = []
        for _ in 0..<50 { objects.append(try #require(cache.alloc(gfp: .kernel, context: context))) }
        let text = machine.slab.renderProcSlabinfo()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "slabinfo - version: 2.1")
        #expect(lines[1] == "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>")
        #expect(lines.last == "")
        // Newest cache first, as slab_caches is walked.
        let info = cache.slabInfo
        #expect(info.numObjects >= 50 && info.activeObjects >= 50)
        func right(_ value: Int, _ width: Int) -> String {
            String(repeating: " ", count: width - String(value).count) + String(value)
        }
        var expected = "a-rather-long-cache-name "
        expected += right(info.activeObjects, 6) + " " + right(info.numObjects, 6) + " " + right(info.objectSize, 6)
        expected += " " + right(info.objectsPerSlab, 4) + " " + right(info.pagesPerSlab, 4)
        expected += " : tunables    0    0    0 : slabdata "
        expected += right(info.activeSlabs, 6) + " " + right(info.numSlabs, 6) + " " + right(0, 6)
        #expect(lines[2] == expected)
        let kmalloc64 = try #require(lines.first { $0.hasPrefix("kmalloc-64 ") })
        #expect(kmalloc64 == "kmalloc-64             0      0     64   64    1 : tunables    0    0    0 : slabdata      0      0      0")
        #expect(lines.count == 2 + machine.slab.caches.count + 1)
        for object in objects { cache.free(object, context: context) }
    }

    @Test(.enabled(if: canBindMountProc, "needs unshare -m with mount --bind over /proc/slabinfo (CAP_SYS_ADMIN) and procps slabtop; not permitted or missing here"))
    func slabtopReadsKMSimsCaches() throws {
        let machine = try SlabTestMachine()
        let context = ExecutionContext.task(cpu: 0)
        let cache = try #require(machine.slab.kmemCacheCreate(name: "kmsim_dentry", size: 192))
        var objects: [UnsafeMutableRawPointer] = []
        for _ in 0..<500 { objects.append(try #require(cache.alloc(gfp: .kernel, context: context))) }
        defer { for object in objects { cache.free(object, context: context) } }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kmsim-slabinfo-\(getpid())")
        try machine.slab.renderProcSlabinfo().write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = ["-m", "sh", "-c", "mount --bind \(file.path) /proc/slabinfo && slabtop -o -s c"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "slabtop said: \(output)")
        let info = cache.slabInfo
        let row = try #require(output.split(separator: "\n").first { $0.hasSuffix("kmsim_dentry") || $0.contains(" kmsim_dentry ") })
        let columns = row.split(separator: " ")
        #expect(columns.first.map(String.init) == String(info.numObjects))
        #expect(columns.dropFirst().first.map(String.init) == String(info.activeObjects))
        #expect(output.contains("kmalloc-64"))
        #expect(output.contains("Active / Total Caches (% used)"))
    }
}
