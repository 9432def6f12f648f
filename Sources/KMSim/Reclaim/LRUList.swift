/// `enum lru_list` (include/linux/mmzone.h): the four evictable LRU lists of a node's lruvec.
public enum LRUList: Int, CaseIterable, Sendable {
    case inactiveAnon = 0
    case activeAnon = 1
    case inactiveFile = 2
    case activeFile = 3

    /// `is_file_lru()`.
    public var isFile: Bool { self == .inactiveFile || self == .activeFile }
    /// `is_active_lru()`.
    public var isActive: Bool { self == .activeAnon || self == .activeFile }

    /// `folio_lru_list()`: the list a page with these flags belongs on.
    static func of(file: Bool, active: Bool) -> LRUList {
        switch (file, active) {
        case (false, false): .inactiveAnon
        case (false, true): .activeAnon
        case (true, false): .inactiveFile
        case (true, true): .activeFile
        }
    }

    /// The name /proc/zoneinfo prints for the zone counter (`nr_zone_inactive_anon` ...).
    public var zoneCounterName: String {
        switch self {
        case .inactiveAnon: "nr_zone_inactive_anon"
        case .activeAnon: "nr_zone_active_anon"
        case .inactiveFile: "nr_zone_inactive_file"
        case .activeFile: "nr_zone_active_file"
        }
    }
}
