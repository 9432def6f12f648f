import Foundation
import Histogram

/// `--latency-histograms DIR`: one HdrHistogram percentile distribution per report class, in the text
/// layout HdrHistogram's own tools print (`outputPercentileDistribution`: `Value Percentile TotalCount
/// 1/(1-Percentile)`, then the `#[Mean ...]` footer), which HdrHistogram's plotter reads. Values are
/// nanoseconds (an output scaling ratio of 1), five percentile ticks per half distance.
public enum LatencyHistogramFiles {
    /// A file name for a report class: its position, context, mask and API, with the mask's `|` as `+`
    /// and anything else outside `[A-Za-z0-9_.+-]` as `-` (`03-task-GFP_KERNEL+__GFP_ZERO-kmalloc.hgrm`).
    public static func fileName(index: Int, row: RunReport.ClassRow) -> String {
        let raw = "\(row.context)-\(row.gfp)-\(row.api)"
        let safe = String(raw.map { character -> Character in
            if character == "|" { return "+" }
            if character.isASCII && (character.isLetter || character.isNumber || "_.+-".contains(character)) {
                return character
            }
            return "-"
        })
        let number = index < 10 ? "0\(index)" : "\(index)"
        return "\(number)-\(safe).hgrm"
    }

    /// The percentile distribution text of one histogram.
    public static func text(_ histogram: Histogram<UInt64>) -> String {
        var text = ""
        histogram.outputPercentileDistribution(to: &text, outputValueUnitScalingRatio: 1)
        return text
    }

    /// Writes one file per report class that recorded a latency into `directory` (created if needed);
    /// returns the paths written.
    @discardableResult
    public static func write(_ result: RunResult, to directory: URL) throws -> [URL] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var written: [URL] = []
        for (index, row) in result.report.classes.enumerated() where index < result.classHistograms.count {
            let histogram = result.classHistograms[index]
            guard histogram.totalCount > 0 else { continue }
            let url = directory.appendingPathComponent(fileName(index: index, row: row))
            try Data(text(histogram).utf8).write(to: url)
            written.append(url)
        }
        return written
    }
}
