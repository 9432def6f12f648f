import Glibc

extension PhysicalMemory {
    /// Calls `body` with each run of this node's PFNs whose page frames lie on host pages the host has
    /// committed (`mincore()`), in ascending order.
    ///
    /// The frame table is a lazily committed anonymous mapping: a host page of it that was never written
    /// was never committed and reads as zeros, so its frames have no flags. A walk that looks for frames
    /// with a flag set (the LRU census's PG_lru count) can skip those pages instead of faulting in the
    /// whole table: on a 1 TiB machine that is 8 GiB of frames, most of them never touched, and reading
    /// them was two thirds of booting and checking the machine. (A host that swaps the table out would
    /// make such a walk skip the swapped pages too: it can then miss a stray flag, never invent one.)
    /// If `mincore` fails, the whole node is one run.
    func forEachCommittedFrameRun(_ body: (Range<PFN>) -> Void) {
        let hostPage = Int(sysconf(Int32(_SC_PAGESIZE)))
        let framesPerHostPage = hostPage / MemoryLayout<PageFrame>.stride
        let tableBytes = pageCount * MemoryLayout<PageFrame>.stride
        let hostPages = (tableBytes + hostPage - 1) / hostPage
        guard framesPerHostPage > 0, hostPages > 0 else {
            if pageCount > 0 { body(startPFN..<(startPFN + pageCount)) }
            return
        }
        let chunk = 1 << 16
        var residency = [UInt8](repeating: 0, count: chunk)
        var runStart: Int?
        var first = 0
        while first < hostPages {
            let count = min(chunk, hostPages - first)
            let start = UnsafeMutableRawPointer(frames) + first * hostPage
            let status = residency.withUnsafeMutableBufferPointer { mincore(start, count * hostPage, $0.baseAddress) }
            guard status == 0 else {
                body(startPFN..<(startPFN + pageCount))
                return
            }
            for index in 0..<count {
                let resident = residency[index] & 1 != 0
                if resident, runStart == nil { runStart = first + index }
                if !resident, let begin = runStart {
                    body(pfnRange(hostPages: begin..<(first + index), framesPerHostPage: framesPerHostPage))
                    runStart = nil
                }
            }
            first += count
        }
        if let begin = runStart {
            body(pfnRange(hostPages: begin..<hostPages, framesPerHostPage: framesPerHostPage))
        }
    }

    /// The PFNs whose frames lie on host pages `hostPages` of the frame table.
    private func pfnRange(hostPages: Range<Int>, framesPerHostPage: Int) -> Range<PFN> {
        let lower = startPFN + hostPages.lowerBound * framesPerHostPage
        let upper = startPFN + min(pageCount, hostPages.upperBound * framesPerHostPage)
        return lower..<upper
    }
}
