import Foundation
import LwM2M

/// The REST API's request-body parsers in one call, for the `rest-bodies` fuzz target (`Sources/lwm2m-fuzz`):
/// the JSON reader, the node decoder at several depths, and the body types of operations, PSK credentials,
/// notification attributes, paths and API tokens. Errors are the expected outcome and are dropped; only a crash
/// or a sanitizer report is a finding.
public enum RequestBodyFuzzing {
    /// Paths the node decoder is tried at: every depth, several object types.
    static let paths: [LwM2MPath] = ["/3", "/3/0", "/3/0/0", "/3/0/7", "/3/0/7/1", "/3303/0/5700", "/5/0/1", "/1/0"]
        .compactMap { try? LwM2MPath($0) }

    /// Runs every parser on `bytes`.
    public static func parse(_ bytes: [UInt8], model: ObjectModelRegistry) {
        guard let json = try? RequestJSON.parse(bytes) else { return }
        let decoder = NodeJSONDecoder(model: model)
        for path in paths { _ = try? decoder.node(json, at: path) }
        _ = try? decoder.instanceID(in: json)
        guard let members = try? NodeJSONDecoder.members(of: json, pointer: "", what: "the request") else { return }
        _ = try? OperationBody(members, model: model, now: Date())
        _ = try? PSKCredentialBody(members, endpoint: "fuzz")
        _ = try? SecurityCredentialBody(json, endpoint: "fuzz")
        _ = try? BodyFields.attributes(members)
        _ = try? BodyFields.paths(members, required: false)
        _ = try? BodyFields.strings(members, "endpoints", required: false)
        _ = try? APITokenController.name(members["name"])
        _ = try? APITokenController.role(members["role"])
        _ = try? APITokenController.expiresIn(members["expiresIn"])
    }
}
