import Foundation

// MARK: - A small ordered JSON writer (stable key order, shortest round-trip numbers)

package indirect enum JSONValue {
    case object([(String, JSONValue)])
    case array([JSONValue])
    case string(String)
    case number(Double)
    case int(Int)
    case bool(Bool)
    case null

    package static func num(_ x: Double?) -> JSONValue {
        guard let x, x.isFinite else { return .null }
        return .number(x)
    }

    package func write(into out: inout String, indent: Int) {
        let pad = String(repeating: "  ", count: indent)
        let inner = String(repeating: "  ", count: indent + 1)
        switch self {
        case let .object(entries):
            if entries.isEmpty { out += "{}"; return }
            out += "{\n"
            for (i, (k, v)) in entries.enumerated() {
                out += inner + JSONValue.quote(k) + ": "
                v.write(into: &out, indent: indent + 1)
                out += i == entries.count - 1 ? "\n" : ",\n"
            }
            out += pad + "}"
        case let .array(items):
            if items.isEmpty { out += "[]"; return }
            out += "[\n"
            for (i, v) in items.enumerated() {
                out += inner
                v.write(into: &out, indent: indent + 1)
                out += i == items.count - 1 ? "\n" : ",\n"
            }
            out += pad + "]"
        case let .string(s): out += JSONValue.quote(s)
        case let .number(x):
            if x == x.rounded() && abs(x) < 1e15 { out += String(Int(x)) } else { out += "\(x)" }
        case let .int(i): out += String(i)
        case let .bool(b): out += b ? "true" : "false"
        case .null: out += "null"
        }
    }

    package static func quote(_ s: String) -> String {
        var r = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": r += "\\\""
            case "\\": r += "\\\\"
            case "\n": r += "\\n"
            case "\r": r += "\\r"
            case "\t": r += "\\t"
            default:
                if u.value < 0x20 { r += String(format: "\\u%04x", u.value) } else { r.unicodeScalars.append(u) }
            }
        }
        return r + "\""
    }

    package var text: String {
        var s = ""
        write(into: &s, indent: 0)
        return s + "\n"
    }
}

extension JSONValue {
    /// Plain data to JSON by reflection: struct properties in declaration order with camelCase
    /// names turned to snake_case, nil as null, string-backed enums as their raw value.
    package init(reflecting value: Any) {
        switch value {
        case let v as Double: self = .num(v)
        case let v as Int: self = .int(v)
        case let v as UInt64: self = .string(String(v))
        case let v as Bool: self = .bool(v)
        case let v as String: self = .string(v)
        default:
            if let raw = value as? any RawRepresentable, let s = raw.rawValue as? String { self = .string(s); return }
            let mirror = Mirror(reflecting: value)
            switch mirror.displayStyle {
            case .optional:
                if let child = mirror.children.first { self = JSONValue(reflecting: child.value) } else { self = .null }
            case .collection, .set:
                self = .array(mirror.children.map { JSONValue(reflecting: $0.value) })
            case .struct, .class:
                self = .object(mirror.children.compactMap { c in
                    c.label.map { (JSONValue.snakeCase($0), JSONValue(reflecting: c.value)) }
                })
            default:
                self = .string(String(describing: value))
            }
        }
    }

    package static func snakeCase(_ s: String) -> String {
        var out = ""
        for ch in s {
            if ch.isUppercase { out += "_" + ch.lowercased() } else { out.append(ch) }
        }
        return out
    }
}
