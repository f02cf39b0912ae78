import CoAP
import Hummingbird
import LwM2M

extension Problem {
    /// 400 for a URL path segment that is not an LwM2M path, or a path the operation cannot target.
    static func invalidPath(_ path: String, _ reason: String) -> Problem {
        Problem(
            type: typeBase + "invalid-path", title: "Invalid LwM2M path", status: .badRequest,
            detail: "'\(path)': \(reason)")
    }

    /// 400 for a request body that is not JSON or not the right shape; `pointer` names the member (RFC 6901).
    static func invalidBody(_ error: NodeJSONError) -> Problem {
        Problem(
            type: typeBase + "invalid-body", title: "Invalid request body", status: .badRequest,
            detail: error.pointer.isEmpty ? error.message : "Body member '\(error.pointer)': \(error.message)",
            extensions: ["pointer": error.pointer])
    }

    /// 404 for an object id the object model does not know.
    static func objectNotFound(_ id: String) -> Problem {
        Problem(
            type: typeBase + "object-not-found", title: "Object not found", status: .notFound,
            detail: "The object model has no object \(id).")
    }

    /// 502 for a device answer that does not fit the request (e.g. no content for a Read).
    static func unexpectedAnswer(_ answer: DeviceResponse, to operation: String) -> Problem {
        Problem(
            type: typeBase + "invalid-device-response", title: "Invalid device response", status: .badGateway,
            detail: "The device's answer to \(operation) was \(answer.summary).")
    }

    /// The problem for a failed device request (see `docs/rest-device-management.md`, "Errors").
    ///
    /// unknownEndpoint → 404; offline → 409; invalidRequest → 400; deviceError → by CoAP code with a
    /// `coapCode` member (4.00 → 400, 4.01/4.03 → 403, 4.04 → 404, 4.05 → 405, 4.06 → 406, 4.09 → 409,
    /// 4.12 → 412, 4.13 → 413, 4.15 → 415, 4.22 → 422, other 4.xx → 400, 5.xx and anything else → 502);
    /// timeout → 504; invalidResponse, unreachable → 502.
    init(_ error: DeviceRequestError, endpoint: String) {
        switch error.kind {
        case .unknownEndpoint:
            self = .endpointNotFound(endpoint)
        case .offline:
            self.init(
                type: Self.typeBase + "endpoint-offline", title: "Endpoint offline", status: .conflict,
                detail: error.message)
        case .invalidRequest:
            self.init(
                type: Self.typeBase + "invalid-device-request", title: "Invalid device request", status: .badRequest,
                detail: error.message)
        case .deviceError:
            let code = error.coapCode.map(\.description) ?? "unknown"
            self.init(
                type: Self.typeBase + "device-error", title: "Device error",
                status: error.coapCode.map(Self.status(forDeviceCode:)) ?? .badGateway,
                detail: "The device answered \(code)" + (error.message.isEmpty ? "." : ": \(error.message)"),
                extensions: ["coapCode": code])
        case .timeout:
            self.init(
                type: Self.typeBase + "device-timeout", title: "Device timeout", status: .gatewayTimeout,
                detail: error.message)
        case .invalidResponse:
            self.init(
                type: Self.typeBase + "invalid-device-response", title: "Invalid device response",
                status: .badGateway, detail: error.message)
        case .unreachable:
            self.init(
                type: Self.typeBase + "device-unreachable", title: "Device unreachable", status: .badGateway,
                detail: error.message)
        case .limitExceeded:
            self = .limitExceeded(error.message)
        }
    }

    /// The HTTP status relaying a device's CoAP error code (RFC 8075 §7 style).
    static func status(forDeviceCode code: CoAPCode) -> HTTPResponse.Status {
        guard code.codeClass == 4 else { return .badGateway }
        switch code.detail {
        case 0: return .badRequest
        case 1, 3: return .forbidden
        case 4: return .notFound
        case 5: return .methodNotAllowed
        case 6: return .notAcceptable
        case 9: return .conflict
        case 12: return .preconditionFailed
        case 13: return .contentTooLarge
        case 15: return .unsupportedMediaType
        case 22: return .unprocessableContent
        default: return .badRequest
        }
    }
}

extension DeviceResponse {
    /// A short description for messages (`"2.04 Changed"`).
    var summary: String {
        switch self {
        case .content: "2.05 Content"
        case .compositeContent: "2.05 Content (composite)"
        case .links: "2.05 Content (links)"
        case .changed: "2.04 Changed"
        case .created: "2.01 Created"
        case .deleted: "2.02 Deleted"
        }
    }
}
