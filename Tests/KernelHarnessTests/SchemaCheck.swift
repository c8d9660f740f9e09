// SPDX-License-Identifier: GPL-2.0-only
//
// A small JSON Schema validator for the part of draft 2020-12 that
// docs/schema/*.schema.json use: type, properties, required,
// additionalProperties, items, enum, const, minimum, $ref into $defs,
// oneOf, anyOf (plus the annotations $schema, $id, title, description).
// A schema keyword it does not know is an error, so a schema cannot ask for
// more than is checked.  JSON is parsed here too (JSONSerialization cannot
// tell 1 from true on Linux).
import Foundation
import Testing

indirect enum JSONValue: Equatable {
    /// `uint`: an integer beyond Int64 (64-bit seeds).
    case null, bool(Bool), int(Int64), uint(UInt64), double(Double), string(String)
    case array([JSONValue]), object([(String, JSONValue)])

    static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.uint(x), .uint(y)): return x == y
        case let (.double(x), .double(y)): return x == y
        case let (.int(x), .double(y)), let (.double(y), .int(x)): return Double(x) == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count && x.allSatisfy { kv in y.contains { $0.0 == kv.0 && $0.1 == kv.1 } }
        default: return false
        }
    }

    subscript(key: String) -> JSONValue? {
        if case .object(let kv) = self { return kv.first { $0.0 == key }?.1 }
        return nil
    }

    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .uint: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

struct JSONParseError: Error, CustomStringConvertible {
    var description: String
}

/// A strict RFC 8259 parser (one value, nothing after it).
struct JSONParser {
    let b: [UInt8]
    var p = 0

    static func parse(_ text: String) throws -> JSONValue {
        var j = JSONParser(b: Array(text.utf8))
        let v = try j.value()
        j.ws()
        guard j.p == j.b.count else { throw JSONParseError(description: "text after the JSON value at byte \(j.p)") }
        return v
    }

    mutating func ws() { while p < b.count, [32, 9, 10, 13].contains(b[p]) { p += 1 } }

    func fail(_ why: String) -> JSONParseError { JSONParseError(description: "\(why) at byte \(p)") }

    mutating func lit(_ s: String, _ v: JSONValue) throws -> JSONValue {
        let u = Array(s.utf8)
        guard p + u.count <= b.count, Array(b[p..<p + u.count]) == u else { throw fail("bad literal") }
        p += u.count
        return v
    }

    mutating func value() throws -> JSONValue {
        ws()
        guard p < b.count else { throw fail("unexpected end") }
        switch b[p] {
        case UInt8(ascii: "n"): return try lit("null", .null)
        case UInt8(ascii: "t"): return try lit("true", .bool(true))
        case UInt8(ascii: "f"): return try lit("false", .bool(false))
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "["):
            p += 1
            var out: [JSONValue] = []
            ws()
            if p < b.count, b[p] == UInt8(ascii: "]") { p += 1; return .array(out) }
            while true {
                out.append(try value())
                ws()
                guard p < b.count else { throw fail("unterminated array") }
                if b[p] == UInt8(ascii: ",") { p += 1; continue }
                if b[p] == UInt8(ascii: "]") { p += 1; return .array(out) }
                throw fail("expected , or ]")
            }
        case UInt8(ascii: "{"):
            p += 1
            var out: [(String, JSONValue)] = []
            ws()
            if p < b.count, b[p] == UInt8(ascii: "}") { p += 1; return .object(out) }
            while true {
                ws()
                guard p < b.count, b[p] == UInt8(ascii: "\"") else { throw fail("expected a key") }
                let k = try string()
                if out.contains(where: { $0.0 == k }) { throw fail("duplicate key '\(k)'") }
                ws()
                guard p < b.count, b[p] == UInt8(ascii: ":") else { throw fail("expected :") }
                p += 1
                out.append((k, try value()))
                ws()
                guard p < b.count else { throw fail("unterminated object") }
                if b[p] == UInt8(ascii: ",") { p += 1; continue }
                if b[p] == UInt8(ascii: "}") { p += 1; return .object(out) }
                throw fail("expected , or }")
            }
        default:
            return try number()
        }
    }

    mutating func string() throws -> String {
        p += 1
        var out = [UInt8]()
        while p < b.count {
            let c = b[p]
            p += 1
            if c == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
            if c < 0x20 { throw fail("control character in a string") }
            if c != UInt8(ascii: "\\") { out.append(c); continue }
            guard p < b.count else { break }
            let e = b[p]
            p += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "u"):
                func hex4() throws -> UInt32 {
                    guard p + 4 <= b.count, let v = UInt32(String(decoding: b[p..<p + 4], as: UTF8.self), radix: 16) else {
                        throw fail("bad \\u escape")
                    }
                    p += 4
                    return v
                }
                var v = try hex4()
                if (0xD800..<0xDC00).contains(v), p + 2 <= b.count, b[p] == UInt8(ascii: "\\"), b[p + 1] == UInt8(ascii: "u") {
                    p += 2
                    let lo = try hex4()
                    v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
                }
                out.append(contentsOf: Array(String(Character(Unicode.Scalar(v) ?? "?")).utf8))
            default: throw fail("bad escape")
            }
        }
        throw fail("unterminated string")
    }

    mutating func number() throws -> JSONValue {
        let start = p
        if p < b.count, b[p] == UInt8(ascii: "-") { p += 1 }
        var isInt = true
        while p < b.count, (b[p] >= 48 && b[p] <= 57) || [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"),
                                                          UInt8(ascii: "+"), UInt8(ascii: "-")].contains(b[p]) {
            if !(b[p] >= 48 && b[p] <= 57) { isInt = false }
            p += 1
        }
        let s = String(decoding: b[start..<p], as: UTF8.self)
        if isInt, let i = Int64(s) { return .int(i) }
        if isInt, let u = UInt64(s) { return .uint(u) }   // beyond Int64: still an integer
        guard !s.isEmpty, let d = Double(s) else { throw fail("bad number '\(s)'") }
        return .double(d)
    }
}

struct SchemaError: Error, CustomStringConvertible {
    var description: String
}

enum SchemaCheck {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/schema")

    static func load(_ name: String) throws -> JSONValue {
        let u = dir.appendingPathComponent("\(name).schema.json")
        guard let d = FileManager.default.contents(atPath: u.path) else {
            throw SchemaError(description: "no schema \(u.path)")
        }
        return try JSONParser.parse(String(decoding: d, as: UTF8.self))
    }

    /// Validate `json` (text) against docs/schema/NAME.schema.json; records
    /// a test issue per violation and throws if there is any.
    static func validate(_ json: String, schema name: String,
                         sourceLocation: SourceLocation = #_sourceLocation) throws {
        let errors = try problems(json, schema: name)
        for e in errors.prefix(20) { Issue.record("\(name) schema: \(e)", sourceLocation: sourceLocation) }
        if !errors.isEmpty { throw SchemaError(description: "\(errors.count) schema violations (\(name))") }
    }

    static func problems(_ json: String, schema name: String) throws -> [String] {
        let schema = try load(name)
        let value = try JSONParser.parse(json)
        var v = Validator(root: schema)
        v.check(value, schema, at: "$")
        return v.errors
    }

    static let annotations: Set<String> = ["$schema", "$id", "title", "description", "$defs", "$comment", "examples"]
    static let keywords: Set<String> = ["type", "properties", "required", "additionalProperties", "items", "enum",
                                        "const", "minimum", "$ref", "oneOf", "anyOf"]

    struct Validator {
        let root: JSONValue
        var errors: [String] = []

        mutating func check(_ v: JSONValue, _ s: JSONValue, at path: String) {
            if case .bool(let ok) = s {
                if !ok { errors.append("\(path): not allowed here") }
                return
            }
            guard case .object(let kw) = s else { errors.append("\(path): schema is not an object"); return }
            for (k, _) in kw where !SchemaCheck.keywords.contains(k) && !SchemaCheck.annotations.contains(k) {
                errors.append("\(path): schema keyword '\(k)' is not supported by this validator")
            }
            if case .string(let ref)? = s["$ref"] {
                guard ref.hasPrefix("#/$defs/"), let target = root["$defs"]?[String(ref.dropFirst(8))] else {
                    errors.append("\(path): unresolvable $ref \(ref)")
                    return
                }
                check(v, target, at: path)
            }
            if let t = s["type"] {
                var names: [String] = []
                if case .string(let n) = t { names = [n] }
                if case .array(let a) = t { names = a.compactMap { if case .string(let n) = $0 { return n } else { return nil } } }
                let actual = v.typeName
                let ok = names.contains(actual) || (actual == "integer" && names.contains("number"))
                if !ok {
                    errors.append("\(path): \(actual) where \(names.joined(separator: " or ")) is expected")
                    return
                }
            }
            if case .array(let allowed)? = s["enum"], !allowed.contains(v) {
                errors.append("\(path): \(describe(v)) is not one of \(allowed.map(describe).joined(separator: ", "))")
            }
            if let c = s["const"], c != v { errors.append("\(path): \(describe(v)) is not \(describe(c))") }
            if let m = s["minimum"] {
                let x: Double? = {
                    if case .int(let i) = v { return Double(i) }
                    if case .uint(let u) = v { return Double(u) }
                    if case .double(let d) = v { return d }
                    return nil
                }()
                let lo: Double? = { if case .int(let i) = m { return Double(i) }; if case .double(let d) = m { return d }; return nil }()
                if let x, let lo, x < lo { errors.append("\(path): \(x) is below the minimum \(lo)") }
            }
            if case .object(let members) = v {
                if case .array(let req)? = s["required"] {
                    for case .string(let r) in req where !members.contains(where: { $0.0 == r }) {
                        errors.append("\(path): required field '\(r)' is missing")
                    }
                }
                let props: [(String, JSONValue)] = { if case .object(let p)? = s["properties"] { return p } else { return [] } }()
                for (k, x) in members {
                    if let ps = props.first(where: { $0.0 == k })?.1 {
                        check(x, ps, at: "\(path).\(k)")
                    } else if let extra = s["additionalProperties"] {
                        check(x, extra, at: "\(path).\(k)")
                    }
                }
            }
            if case .array(let items) = v, let each = s["items"] {
                for (i, x) in items.enumerated() { check(x, each, at: "\(path)[\(i)]") }
            }
            if case .array(let alts)? = s["oneOf"] {
                let passing = alts.filter { alt in
                    var sub = Validator(root: root)
                    sub.check(v, alt, at: path)
                    return sub.errors.isEmpty
                }.count
                if passing != 1 { errors.append("\(path): matches \(passing) of the oneOf alternatives (exactly 1 wanted)") }
            }
            if case .array(let alts)? = s["anyOf"] {
                let ok = alts.contains { alt in
                    var sub = Validator(root: root)
                    sub.check(v, alt, at: path)
                    return sub.errors.isEmpty
                }
                if !ok { errors.append("\(path): matches none of the anyOf alternatives") }
            }
        }

        func describe(_ v: JSONValue) -> String {
            switch v {
            case .string(let s): return "\"\(s.prefix(60))\""
            case .int(let i): return "\(i)"
            case .uint(let u): return "\(u)"
            case .double(let d): return "\(d)"
            case .bool(let b): return "\(b)"
            case .null: return "null"
            case .array: return "an array"
            case .object: return "an object"
            }
        }
    }
}

/// The validator itself: it must reject what the schemas forbid.
@Suite struct SchemaCheckTests {
    @Test func validatorRejectsWhatASchemaForbids() throws {
        var v = SchemaCheck.Validator(root: try JSONParser.parse("""
            {"$defs": {"n": {"type": "integer", "minimum": 0}},
             "type": "object", "required": ["a"], "additionalProperties": false,
             "properties": {"a": {"$ref": "#/$defs/n"}, "b": {"enum": ["x", "y"]},
                            "c": {"type": "array", "items": {"type": ["string", "null"]}},
                            "d": {"oneOf": [{"type": "integer"}, {"type": "string"}]}}}
            """))
        func errs(_ json: String) throws -> [String] {
            v.errors = []
            v.check(try JSONParser.parse(json), v.root, at: "$")
            return v.errors
        }
        #expect(try errs(#"{"a": 1, "b": "x", "c": ["s", null], "d": 3}"#).isEmpty)
        #expect(try errs(#"{"b": "x"}"#).first?.contains("required field 'a'") == true)
        #expect(try errs(#"{"a": -1}"#).first?.contains("minimum") == true)
        #expect(try errs(#"{"a": true}"#).first?.contains("boolean where integer") == true)
        #expect(try errs(#"{"a": 1, "b": "z"}"#).first?.contains("not one of") == true)
        #expect(try errs(#"{"a": 1, "c": [1]}"#).first?.contains("$.c[0]") == true)
        #expect(try errs(#"{"a": 1, "e": 1}"#).first?.contains("not allowed") == true)
        #expect(try errs(#"{"a": 1, "d": 1.5}"#).first?.contains("oneOf") == true)
        // a 64-bit seed is an integer
        #expect(try errs(#"{"a": 18446744073709551615}"#).isEmpty)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(#"{"a": 1,}"#) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse(#"{"a": 1, "a": 2}"#) }
    }

    /// Every schema file parses and uses only what the validator checks.
    @Test func everySchemaIsValidatable() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: SchemaCheck.dir.path)
            .filter { $0.hasSuffix(".schema.json") }
        #expect(names.count >= 5)
        for n in names {
            let s = try SchemaCheck.load(String(n.dropLast(".schema.json".count)))
            #expect(s["$schema"] == .string("https://json-schema.org/draft/2020-12/schema"), "\(n)")
            // walk every subschema through the validator with a value that
            // exercises no branch: unknown keywords still show up
            var v = SchemaCheck.Validator(root: s)
            func walk(_ x: JSONValue, _ path: String) {
                guard case .object(let kv) = x else { return }
                for (k, _) in kv where !SchemaCheck.keywords.contains(k) && !SchemaCheck.annotations.contains(k) {
                    v.errors.append("\(n) \(path): unsupported keyword \(k)")
                }
                for (k, sub) in kv {
                    switch k {
                    case "properties", "$defs":
                        if case .object(let ps) = sub { for (pk, ps) in ps { walk(ps, "\(path).\(pk)") } }
                    case "items", "additionalProperties": walk(sub, "\(path).\(k)")
                    case "oneOf", "anyOf":
                        if case .array(let a) = sub { for (i, alt) in a.enumerated() { walk(alt, "\(path).\(k)[\(i)]") } }
                    default: break
                    }
                }
            }
            walk(s, "$")
            #expect(v.errors.isEmpty, "\(v.errors)")
        }
    }
}

extension SchemaCheck {
    /// The schema of a command's --json output.
    static func schema(forCommand args: [String]) -> String? {
        guard args.contains("--json"), let cmd = args.first else { return nil }
        switch cmd {
        case "run", "merge": return "run"
        case "check-patch": return "check-patch"
        case "fuzz": return "fuzz"
        case "bench": return "bench"
        case "kernel": return "kernel"
        case "audit": return "audit"
        default: return nil
        }
    }

    /// Validate what a command printed with --json (every test that runs
    /// the binary goes through here); output that is not JSON (a usage
    /// error) is left to the test.
    static func checkOutput(_ args: [String], _ out: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let name = schema(forCommand: args),
              out.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("{") else { return }
        do { try validate(out, schema: name, sourceLocation: sourceLocation) } catch {
            Issue.record("\(args.prefix(3).joined(separator: " ")) --json: \(error)", sourceLocation: sourceLocation)
        }
    }

    /// Validate a JSON file (a fuzz corpus or replay record, ...).
    static func validateFile(_ path: String, schema name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        guard let d = FileManager.default.contents(atPath: path) else {
            throw SchemaError(description: "cannot read \(path)")
        }
        try validate(String(decoding: d, as: UTF8.self), schema: name, sourceLocation: sourceLocation)
    }
}

/// Outputs no other test reads: kernel --json.
@Suite struct SchemaOutputTests {
    @Test func kernelJSONFollowsItsSchema() throws {
        let k = try SyntheticKernel()
        let r = try CLI.kharness(["kernel", "--kernel", k.root.path, "--json"])
        #expect(r.code == 0, "\(r.err)")
        try SchemaCheck.validate(r.out, schema: "kernel")
        #expect(try SchemaCheck.problems(r.out.replacingOccurrences(of: "\"builds\":true", with: "\"builds\":1"),
                                         schema: "kernel").contains { $0.contains("$.builds") })
    }
}
