import Foundation

/// Inline SVG charts for the HTML report: line charts on linear or log axes, horizontal bars, a heat map
/// and stacked columns. No script and no external resource: each chart is a `<figure>` whose `<svg>` holds
/// the data as polylines and rects, with `data-points` giving the number of data points drawn (what the
/// headless-browser test reads back).
enum SVGPlot {
    enum Scale {
        case linear
        case log10
    }

    struct Series {
        var name: String
        var color: String
        var points: [(x: Double, y: Double)]
        var dashed = false
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                          "#bcbd22", "#17becf"]
    static let width = 920.0
    static let height = 300.0
    static let left = 70.0
    static let right = 250.0
    static let top = 16.0
    static let bottom = 44.0

    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    static func number(_ value: Double) -> String {
        String(format: "%.1f", value)
    }

    /// A tick label: 1.2k, 3.4M, 0.5.
    static func label(_ value: Double) -> String {
        let magnitude = abs(value)
        switch magnitude {
        case 1e9...: return String(format: "%.3gG", value / 1e9)
        case 1e6...: return String(format: "%.3gM", value / 1e6)
        case 1e3...: return String(format: "%.3gk", value / 1e3)
        default: return String(format: "%.3g", value)
        }
    }

    /// The figure around a chart.
    static func figure(id: String, title: String, caption: String, points: Int, svg: String) -> String {
        """
        <figure class="plot" id="\(id)" data-points="\(points)">
        <figcaption><strong>\(escape(title))</strong> — \(escape(caption))</figcaption>
        \(svg)
        </figure>

        """
    }

    /// An axis mapping from data to pixels.
    struct Axis {
        var low: Double
        var high: Double
        var scale: Scale
        var pixelLow: Double
        var pixelHigh: Double

        init(values: [Double], scale: Scale, pixels: (Double, Double), includeZero: Bool) {
            let finite = values.filter { $0.isFinite && (scale == .linear || $0 > 0) }
            var low = finite.min() ?? 0
            var high = finite.max() ?? 1
            if scale == .log10 {
                low = pow(10, (log10(max(low, 1e-9))).rounded(.down))
                high = pow(10, (log10(max(high, low * 10))).rounded(.up))
            } else {
                if includeZero { low = min(low, 0) }
                if high <= low { high = low + 1 }
            }
            self.low = low
            self.high = high
            self.scale = scale
            pixelLow = pixels.0
            pixelHigh = pixels.1
        }

        func map(_ value: Double) -> Double {
            let fraction: Double
            switch scale {
            case .linear: fraction = (value - low) / (high - low)
            case .log10: fraction = (log10(max(value, low)) - log10(low)) / (log10(high) - log10(low))
            }
            return pixelLow + (pixelHigh - pixelLow) * min(max(fraction, 0), 1)
        }

        var ticks: [Double] {
            switch scale {
            case .log10:
                var ticks: [Double] = []
                var tick = low
                while tick <= high * 1.0001 && ticks.count < 12 {
                    ticks.append(tick)
                    tick *= 10
                }
                return ticks
            case .linear:
                let raw = (high - low) / 5
                let power = pow(10, log10(raw).rounded(.down))
                let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= raw } ?? raw
                var ticks: [Double] = []
                var tick = (low / step).rounded(.up) * step
                while tick <= high + step * 1e-9 && ticks.count < 12 {
                    ticks.append(tick)
                    tick += step
                }
                return ticks
            }
        }
    }

    /// The axes, grid and labels of a chart.
    static func frame(x: Axis, y: Axis, xLabel: String, yLabel: String, xTickLabel: (Double) -> String = label) -> String {
        var svg = ""
        for tick in y.ticks {
            let py = number(y.map(tick))
            svg += "<line x1=\"\(number(left))\" y1=\"\(py)\" x2=\"\(number(width - right))\" y2=\"\(py)\" stroke=\"#ddd\"/>"
            svg += "<text x=\"\(number(left - 6))\" y=\"\(py)\" text-anchor=\"end\" dominant-baseline=\"middle\">\(label(tick))</text>"
        }
        for tick in x.ticks {
            let px = number(x.map(tick))
            svg += "<line x1=\"\(px)\" y1=\"\(number(top))\" x2=\"\(px)\" y2=\"\(number(height - bottom))\" stroke=\"#eee\"/>"
            svg += "<text x=\"\(px)\" y=\"\(number(height - bottom + 16))\" text-anchor=\"middle\">\(escape(xTickLabel(tick)))</text>"
        }
        svg += "<rect x=\"\(number(left))\" y=\"\(number(top))\" width=\"\(number(width - left - right))\" height=\"\(number(height - top - bottom))\" fill=\"none\" stroke=\"#888\"/>"
        svg += "<text x=\"\(number((left + width - right) / 2))\" y=\"\(number(height - 6))\" text-anchor=\"middle\">\(escape(xLabel))</text>"
        svg += "<text transform=\"translate(14 \(number((top + height - bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(escape(yLabel))</text>"
        return svg
    }

    static func open() -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">"
    }

    /// Lines, one per series, with a legend on the right. Returns the SVG and the points drawn.
    static func lineChart(_ series: [Series], xLabel: String, yLabel: String, xScale: Scale = .linear,
                          yScale: Scale = .linear, xTickLabel: (Double) -> String = label) -> (svg: String, points: Int) {
        let xs = series.flatMap { $0.points.map(\.x) }
        let ys = series.flatMap { $0.points.map(\.y) }
        let x = Axis(values: xs, scale: xScale, pixels: (left, width - right), includeZero: false)
        let y = Axis(values: ys, scale: yScale, pixels: (height - bottom, top), includeZero: true)
        var svg = open() + frame(x: x, y: y, xLabel: xLabel, yLabel: yLabel, xTickLabel: xTickLabel)
        var drawn = 0
        for (index, line) in series.enumerated() where !line.points.isEmpty {
            let points = line.points.filter { $0.x.isFinite && $0.y.isFinite }
                .map { "\(number(x.map($0.x))),\(number(y.map($0.y)))" }.joined(separator: " ")
            drawn += line.points.count
            svg += "<polyline class=\"series\" data-series=\"\(escape(line.name))\" fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"1.5\"\(line.dashed ? " stroke-dasharray=\"5 3\"" : "") points=\"\(points)\"/>"
            let legendY = top + 14 * Double(index) + 8
            svg += "<line x1=\"\(number(width - right + 10))\" y1=\"\(number(legendY))\" x2=\"\(number(width - right + 28))\" y2=\"\(number(legendY))\" stroke=\"\(line.color)\" stroke-width=\"2\"\(line.dashed ? " stroke-dasharray=\"5 3\"" : "")/>"
            svg += "<text x=\"\(number(width - right + 32))\" y=\"\(number(legendY))\" dominant-baseline=\"middle\">\(escape(String(line.name.prefix(40))))</text>"
        }
        return (svg + "</svg>", drawn)
    }

    /// Horizontal bars with a label and a value text each.
    static func barChart(_ bars: [(label: String, value: Double, text: String)], color: String) -> (svg: String, points: Int) {
        let rowHeight = 18.0
        let chartHeight = top + rowHeight * Double(max(bars.count, 1)) + 10
        let labelWidth = 190.0
        let maximum = max(bars.map(\.value).max() ?? 1, 1e-9)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(chartHeight))\" width=\"\(Int(width))\" height=\"\(Int(chartHeight))\" font-family=\"sans-serif\" font-size=\"11\">"
        for (index, bar) in bars.enumerated() {
            let y = top + rowHeight * Double(index)
            let barWidth = (width - labelWidth - 380) * max(0, bar.value) / maximum
            svg += "<text x=\"\(number(labelWidth - 6))\" y=\"\(number(y + 9))\" text-anchor=\"end\" dominant-baseline=\"middle\">\(escape(bar.label))</text>"
            svg += "<rect class=\"bar\" x=\"\(number(labelWidth))\" y=\"\(number(y + 2))\" width=\"\(number(max(barWidth, 0.5)))\" height=\"\(number(rowHeight - 4))\" fill=\"\(color)\"/>"
            svg += "<text x=\"\(number(labelWidth + barWidth + 6))\" y=\"\(number(y + 9))\" dominant-baseline=\"middle\">\(escape(bar.text))</text>"
        }
        return (svg + "</svg>", bars.count)
    }

    /// A heat map: `cells[column][row]`, row 0 at the bottom, colour by log(1 + value).
    static func heatMap(columns: [Double], rows: [String], cells: [[Int]], xLabel: String, yLabel: String) -> (svg: String, points: Int) {
        guard !columns.isEmpty, !rows.isEmpty else { return (open() + "</svg>", 0) }
        let x = Axis(values: columns, scale: .linear, pixels: (left, width - right), includeZero: false)
        let y = Axis(values: [0, Double(rows.count)], scale: .linear, pixels: (height - bottom, top), includeZero: true)
        var svg = open()
        let maximum = log1p(Double(cells.flatMap { $0 }.max() ?? 1))
        let cellWidth = (width - left - right) / Double(columns.count)
        let cellHeight = (height - top - bottom) / Double(rows.count)
        var drawn = 0
        for (column, values) in cells.enumerated() {
            for (row, value) in values.enumerated() where row < rows.count {
                let intensity = maximum > 0 ? log1p(Double(max(value, 0))) / maximum : 0
                let shade = Int((1 - intensity) * 235)
                svg += "<rect class=\"cell\" x=\"\(number(left + cellWidth * Double(column)))\" y=\"\(number(height - bottom - cellHeight * Double(row + 1)))\" width=\"\(number(cellWidth + 0.3))\" height=\"\(number(cellHeight + 0.3))\" fill=\"rgb(\(shade),\(shade),255)\"><title>\(escape(rows[row])): \(value)</title></rect>"
                drawn += 1
            }
        }
        for (row, name) in rows.enumerated() {
            svg += "<text x=\"\(number(left - 6))\" y=\"\(number(height - bottom - cellHeight * (Double(row) + 0.5)))\" text-anchor=\"end\" dominant-baseline=\"middle\">\(escape(name))</text>"
        }
        for tick in x.ticks {
            svg += "<text x=\"\(number(x.map(tick)))\" y=\"\(number(height - bottom + 16))\" text-anchor=\"middle\">\(label(tick))</text>"
        }
        svg += "<text x=\"\(number((left + width - right) / 2))\" y=\"\(number(height - 6))\" text-anchor=\"middle\">\(escape(xLabel))</text>"
        svg += "<text transform=\"translate(14 \(number((top + height - bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(escape(yLabel))</text>"
        _ = y
        return (svg + "</svg>", drawn)
    }

    /// Stacked columns: `stacks[column][layer]`, with a legend of `layers`.
    static func stackedColumns(columns: [Double], layers: [String], stacks: [[Int]], xLabel: String, yLabel: String) -> (svg: String, points: Int) {
        let totals = stacks.map { Double($0.reduce(0, +)) }
        let x = Axis(values: columns, scale: .linear, pixels: (left, width - right), includeZero: false)
        let y = Axis(values: totals + [0], scale: .linear, pixels: (height - bottom, top), includeZero: true)
        var svg = open() + frame(x: x, y: y, xLabel: xLabel, yLabel: yLabel)
        let columnWidth = (width - left - right) / Double(max(columns.count, 1))
        var drawn = 0
        for (column, stack) in stacks.enumerated() where column < columns.count {
            var base = 0.0
            for (layer, value) in stack.enumerated() where value > 0 {
                let y0 = y.map(base)
                let y1 = y.map(base + Double(value))
                svg += "<rect class=\"cell\" x=\"\(number(left + columnWidth * Double(column)))\" y=\"\(number(y1))\" width=\"\(number(columnWidth + 0.3))\" height=\"\(number(max(y0 - y1, 0.3)))\" fill=\"\(palette[layer % palette.count])\"/>"
                base += Double(value)
                drawn += 1
            }
        }
        for (index, name) in layers.enumerated() {
            let legendY = top + 14 * Double(index) + 8
            svg += "<rect x=\"\(number(width - right + 10))\" y=\"\(number(legendY - 5))\" width=\"10\" height=\"10\" fill=\"\(palette[index % palette.count])\"/>"
            svg += "<text x=\"\(number(width - right + 26))\" y=\"\(number(legendY))\" dominant-baseline=\"middle\">\(escape(name))</text>"
        }
        return (svg + "</svg>", drawn)
    }
}
