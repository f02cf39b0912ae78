import Hummingbird
import HummingbirdCore
import LwM2M

extension NotificationAttributes {
    /// The query parameters Write-Attributes accepts besides the attributes.
    static let optionParameters: Set = ["format", "timeout", "expiresIn"]

    /// The attributes of a Write-Attributes query (LwM2M 1.1 Core §5.1.2): `pmin`, `pmax`, `epmin`, `epmax` are
    /// whole seconds ≥ 0, `gt`, `lt`, `st` finite numbers (`st` ≥ 0); an empty value (`pmin=` or bare `pmin`)
    /// unsets the attribute. 400 problem for an unknown parameter, a repeated one, a bad value or no attribute.
    init(query parameters: FlatDictionary<Substring, Substring>) throws(Problem) {
        self.init()
        var seen: Set<String> = []
        for (key, value) in parameters {
            let name = String(key)
            if Self.optionParameters.contains(name) { continue }
            let expectation = "an attribute (\(Self.names.joined(separator: ", ")))"
            guard Self.names.contains(name) else {
                throw Problem.invalidQueryParameter(name, value: String(value), expected: expectation)
            }
            guard seen.insert(name).inserted else {
                throw Problem.invalidQueryParameter(name, value: String(value), expected: "the attribute only once")
            }
            if value.isEmpty {
                unset.append(name)
                continue
            }
            switch name {
            case "pmin", "pmax", "epmin", "epmax":
                guard value.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let seconds = Int(value) else {
                    throw Problem.invalidQueryParameter(name, value: String(value), expected: "whole seconds ≥ 0")
                }
                switch name {
                case "pmin": pmin = seconds
                case "pmax": pmax = seconds
                case "epmin": epmin = seconds
                default: epmax = seconds
                }
            default:
                guard let number = Double(value), number.isFinite, name != "st" || number >= 0 else {
                    throw Problem.invalidQueryParameter(
                        name, value: String(value), expected: name == "st" ? "a number ≥ 0" : "a number")
                }
                switch name {
                case "gt": gt = number
                case "lt": lt = number
                default: st = number
                }
            }
        }
        unset.sort { Self.names.firstIndex(of: $0)! < Self.names.firstIndex(of: $1)! }
        guard !isEmpty else {
            throw Problem(
                type: Problem.typeBase + "invalid-query-parameter", title: "Invalid query parameter",
                status: .badRequest,
                detail: "Write-Attributes needs at least one attribute: \(Self.names.joined(separator: ", ")).")
        }
    }
}
