import Yams

extension WorkloadDecoder {
    /// A GFP expression: parsed by `GFPFlags.parse` (an unknown token is reported at its own column),
    /// then its zone modifiers checked by `gfp_zone()`'s table.
    mutating func decodeGFP(_ node: Node, _ key: String) -> GFPSpec? {
        guard let text = reader.scalarText(node, key, expected: "a GFP expression such as GFP_KERNEL or GFP_ATOMIC|__GFP_ZERO") else {
            return nil
        }
        let result: GFPParseResult
        do throws(GFPParseError) {
            result = try GFPFlags.parse(text)
        } catch {
            reader.error("\(key): \(error)", at: Self.position(of: Self.token(of: error), in: text, node: node))
            return nil
        }
        for warning in result.warnings {
            reader.warning("\(key): \(warning)", at: node)
        }
        do throws(GFPZoneError) {
            _ = try result.flags.zone()
        } catch {
            reader.error("\(key): '\(WorkloadReader.clip(text))' has \(error)", at: node)
            return nil
        }
        return GFPSpec(expression: text, flags: result.flags)
    }

    /// The offending token an error names, when it names one.
    private static func token(of error: GFPParseError) -> String? {
        switch error {
        case .unknownFlag(let token, _), .removedFlag(let token, _), .invalidNumber(let token):
            return token
        case .unknownBits(let token, _):
            return token
        case .emptyExpression, .emptyToken:
            return nil
        }
    }

    /// Where `token` sits inside a one-line plain or quoted scalar (the first `|`-separated segment that
    /// is exactly the token); the scalar's start otherwise.
    private static func position(of token: String?, in text: String, node: Node) -> YAMLPosition {
        let start = YAMLPosition(node.mark)
        guard let token, case .scalar(let scalar) = node, !text.contains(where: \.isNewline) else { return start }
        let quote: Int
        switch scalar.style {
        case .plain, .any: quote = 0
        case .singleQuoted, .doubleQuoted: quote = 1
        case .literal, .folded: return start
        }
        var offset = 0
        for segment in text.unicodeScalars.split(separator: "|", omittingEmptySubsequences: false) {
            let leading = segment.prefix { $0 == " " || $0 == "\t" }.count
            if String(String.UnicodeScalarView(segment)).trimmingSpaces() == token {
                return YAMLPosition(line: start.line, column: start.column + quote + offset + leading)
            }
            offset += segment.count + 1
        }
        return start
    }
}
