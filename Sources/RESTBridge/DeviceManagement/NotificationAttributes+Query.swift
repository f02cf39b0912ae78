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
        var seen: Set<Name> = []
        for (key, value) in parameters {
            if Self.optionParameters.contains(String(key)) { continue }
            guard let name = Name(rawValue: String(key)) else {
                throw Problem.invalidQueryParameter(
                    String(key), value: String(value), expected: "an attribute (\(Self.names.joined(separator: ", ")))")
            }
            guard seen.insert(name).inserted else {
                throw Problem.invalidQueryParameter(name.rawValue, value: String(value), expected: "the attribute only once")
            }
            if value.isEmpty {
                unset.append(name.rawValue)
                continue
            }
            guard let number = name.parse(value) else {
                throw Problem.invalidQueryParameter(name.rawValue, value: String(value), expected: name.expectation)
            }
            self[name] = number
        }
        unset.sort { Self.names.firstIndex(of: $0)! < Self.names.firstIndex(of: $1)! }
        if let conflict {
            throw Problem(
                type: Problem.typeBase + "invalid-query-parameter", title: "Invalid query parameter",
                status: .badRequest, detail: "Attributes that cannot go together: \(conflict) (LwM2M Core §5.1.2).")
        }
        guard !isEmpty else {
            throw Problem(
                type: Problem.typeBase + "invalid-query-parameter", title: "Invalid query parameter",
                status: .badRequest,
                detail: "Write-Attributes needs at least one attribute: \(Self.names.joined(separator: ", ")).")
        }
    }
}
