import Foundation
import Glibc

/// Colour only for a person at a terminal, and never when `NO_COLOR` is set (no-color.org).
enum Style {
    static let enabled: Bool = isatty(1) == 1 && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty

    static func paint(_ text: String, _ code: String) -> String {
        enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    static func state(_ state: String) -> String {
        switch state {
        case "ready": return paint(state, "32")
        case "degraded": return paint(state, "33")
        case "stopping", "starting": return paint(state, "36")
        default: return paint(state, "31")
        }
    }

    static func bold(_ text: String) -> String { paint(text, "1") }
    static func dim(_ text: String) -> String { paint(text, "2") }
}
