/// "Did you mean ...?" for a misspelt key or value name.
enum KeySuggestion {
    /// The allowed name closest to `word`: the same letters ignoring case, `_` and `-` (`tasks_per_cpu`
    /// → `tasksPerCPU`), else the nearest by edit distance when it is close enough to be a typo.
    static func closest(to word: String, in allowed: [String]) -> String? {
        let normalized = normalize(word)
        if let exact = allowed.first(where: { normalize($0) == normalized }) { return exact }
        let scored = allowed.map { ($0, editDistance(normalized, normalize($0))) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        let limit = max(2, min(normalized.count, normalize(best.0).count) / 3)
        return best.1 <= limit ? best.0 : nil
    }

    private static func normalize(_ text: String) -> [Character] {
        Array(text.lowercased().filter { $0 != "_" && $0 != "-" })
    }

    /// Levenshtein distance over characters, two rows.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
