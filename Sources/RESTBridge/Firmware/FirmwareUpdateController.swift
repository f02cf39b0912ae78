import FirmwareOTA
import Foundation
import Hummingbird
import LwM2M
import ResourceModel

/// Firmware updates and campaigns over REST (`FirmwareOrchestrator`):
/// - `POST /api/v1/endpoints/{ep}/firmware-updates` with `{"firmwareId":1,"method":"auto","maxAttempts":3}`:
///   201 with the update; 404 for an unknown endpoint, 422 for an unknown image, 409 while the endpoint has an
///   active update, 422 when the device does not support the method.
/// - `GET /api/v1/endpoints/{ep}/firmware-updates` (`{"updates":[...]}`, newest first),
///   `GET /api/v1/firmware-updates/{id}`, `POST /api/v1/firmware-updates/{id}/cancel`.
/// - `POST /api/v1/campaigns` with `{"firmwareId","endpoints":[...],"pattern","model","method","maxConcurrent",
///   "perMinute","failureThreshold","thresholdMinimum","waves":[...]}`: 201 with the campaign and its devices.
/// - `GET /api/v1/campaigns` (`{"campaigns":[...]}`, newest first, without devices), `GET /api/v1/campaigns/{id}`,
///   `POST /api/v1/campaigns/{id}/pause|resume|cancel` (409 when its status does not allow it).
public struct FirmwareUpdateController: APIModule {
    let orchestrator: FirmwareOrchestrator

    /// The routes over `orchestrator`.
    public init(orchestrator: FirmwareOrchestrator) {
        self.orchestrator = orchestrator
    }

    struct UpdateList: ResponseEncodable {
        var updates: [FirmwareUpdateView]
    }

    struct CampaignList: ResponseEncodable {
        var campaigns: [CampaignView]
    }

    public func addRoutes(to router: Router<APIRequestContext>) {
        router.post("/api/v1/endpoints/{endpoint}/firmware-updates", use: create)
        router.get("/api/v1/endpoints/{endpoint}/firmware-updates", use: list)
        router.get("/api/v1/firmware-updates/{id}", use: show)
        router.post("/api/v1/firmware-updates/{id}/cancel", use: cancel)
        router.post("/api/v1/campaigns", use: createCampaign)
        router.get("/api/v1/campaigns", use: campaigns)
        router.get("/api/v1/campaigns/{id}", use: campaign)
        router.post("/api/v1/campaigns/{id}/pause", use: pause)
        router.post("/api/v1/campaigns/{id}/resume", use: resume)
        router.post("/api/v1/campaigns/{id}/cancel", use: cancelCampaign)
        router.rejectOtherMethods("/api/v1/endpoints/{endpoint}/firmware-updates", allowed: [.get, .head, .post])
        router.rejectOtherMethods("/api/v1/firmware-updates/{id}", allowed: [.get, .head])
        router.rejectOtherMethods("/api/v1/firmware-updates/{id}/cancel", allowed: [.post])
        router.rejectOtherMethods("/api/v1/campaigns", allowed: [.get, .head, .post])
        router.rejectOtherMethods("/api/v1/campaigns/{id}", allowed: [.get, .head])
        for action in ["pause", "resume", "cancel"] {
            router.rejectOtherMethods("/api/v1/campaigns/{id}/\(action)", allowed: [.post])
        }
    }

    // MARK: - Updates

    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> Response {
        let endpoint = try context.endpointName()
        let members = try BodyFields.members(try await request.jsonBody(), known: ["firmwareId", "method", "maxAttempts"])
        let new = NewFirmwareUpdate(
            firmwareID: try Self.integer(members, "firmwareId", required: true)!,
            method: try Self.method(members),
            maxAttempts: try Self.integer(members, "maxAttempts", range: 1...10).map(Int.init))
        let view = try await Self.mapped { try await orchestrator.startUpdate(endpoint: endpoint, new) }
        var response = try view.response(from: request, context: context)
        response.status = .created
        return response
    }

    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> UpdateList {
        let endpoint = try context.endpointName()
        let updates = try await orchestrator.updates(endpoint: endpoint)
        return UpdateList(updates: updates)
    }

    @Sendable func show(_ request: Request, context: APIRequestContext) async throws -> FirmwareUpdateView {
        let id = try Self.id(context)
        guard let view = try await orchestrator.update(id: id) else { throw Problem.firmwareUpdateNotFound(id) }
        return view
    }

    @Sendable func cancel(_ request: Request, context: APIRequestContext) async throws -> FirmwareUpdateView {
        let id = try Self.id(context)
        return try await Self.mapped { try await orchestrator.cancelUpdate(id: id) }
    }

    // MARK: - Campaigns

    @Sendable func createCampaign(_ request: Request, context: APIRequestContext) async throws -> Response {
        let members = try BodyFields.members(try await request.jsonBody(), known: [
            "firmwareId", "endpoints", "pattern", "model", "method", "maxConcurrent", "perMinute", "failureThreshold",
            "thresholdMinimum", "waves",
        ])
        let endpoints = try BodyFields.strings(members, "endpoints", required: false).map(EndpointName.canonical)
        let pattern = try BodyFields.string(members, "pattern")
        let model = try BodyFields.string(members, "model")
        guard !endpoints.isEmpty || pattern != nil || model != nil else {
            throw Problem.invalidBody(NodeJSONError(
                pointer: "", "name the targets: 'endpoints', 'pattern' (a glob over names) or 'model' (/3/0/1)"))
        }
        let threshold = try Self.number(members, "failureThreshold", range: 0...1) ?? 1
        var waves: [Double] = []
        switch members["waves"] {
        case nil, .null?: break
        case .array(let items)?:
            for (index, item) in items.enumerated() {
                guard let fraction = item.numberValue, fraction > 0, fraction <= 1 else {
                    throw Problem.invalidBody(NodeJSONError(
                        pointer: "/waves/\(index)", "expected a fraction of the devices in (0, 1]"))
                }
                if let last = waves.last, fraction <= last {
                    throw Problem.invalidBody(NodeJSONError(pointer: "/waves/\(index)", "waves must increase"))
                }
                waves.append(fraction)
            }
        case let other?:
            throw Problem.invalidBody(NodeJSONError(
                pointer: "/waves", "expected an array of fractions, got \(other.typeDescription)"))
        }
        let new = NewCampaign(
            firmwareID: try Self.integer(members, "firmwareId", required: true)!, endpoints: endpoints,
            pattern: pattern, model: model, method: try Self.method(members),
            maxConcurrent: Int(try Self.integer(members, "maxConcurrent", range: 1...10_000) ?? 10),
            perMinute: try Self.integer(members, "perMinute", range: 1...1_000_000).map(Int.init),
            failureThreshold: threshold,
            thresholdMinimum: Int(try Self.integer(members, "thresholdMinimum", range: 1...1_000_000) ?? 1),
            waves: waves)
        let view = try await Self.mapped { try await orchestrator.startCampaign(new) }
        var response = try view.response(from: request, context: context)
        response.status = .created
        return response
    }

    @Sendable func campaigns(_ request: Request, context: APIRequestContext) async throws -> CampaignList {
        CampaignList(campaigns: try await orchestrator.allCampaigns())
    }

    @Sendable func campaign(_ request: Request, context: APIRequestContext) async throws -> CampaignView {
        let id = try Self.id(context)
        guard let view = try await orchestrator.campaign(id: id) else { throw Problem.campaignNotFound(id) }
        return view
    }

    @Sendable func pause(_ request: Request, context: APIRequestContext) async throws -> CampaignView {
        let id = try Self.id(context)
        return try await Self.mapped { try await orchestrator.pauseCampaign(id: id) }
    }

    @Sendable func resume(_ request: Request, context: APIRequestContext) async throws -> CampaignView {
        let id = try Self.id(context)
        return try await Self.mapped { try await orchestrator.resumeCampaign(id: id) }
    }

    @Sendable func cancelCampaign(_ request: Request, context: APIRequestContext) async throws -> CampaignView {
        let id = try Self.id(context)
        return try await Self.mapped { try await orchestrator.cancelCampaign(id: id) }
    }

    // MARK: - Reading bodies

    static func id(_ context: APIRequestContext) throws -> Int64 {
        let raw = try context.parameters.require("id")
        guard let id = Int64(raw), id > 0 else {
            throw Problem(type: "about:blank", status: .notFound, detail: "'\(raw)' is not an id")
        }
        return id
    }

    static func method(_ members: [String: RequestJSON]) throws(Problem) -> FirmwareMethodChoice {
        guard let text = try BodyFields.string(members, "method") else { return .auto }
        guard let method = FirmwareMethodChoice(rawValue: text) else {
            throw Problem.invalidBody(NodeJSONError(
                pointer: "/method",
                "'\(text)' is not a method; expected \(FirmwareMethodChoice.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        return method
    }

    static func integer(_ members: [String: RequestJSON], _ key: String, required: Bool = false,
                        range: ClosedRange<Int64> = 1...Int64.max) throws(Problem) -> Int64? {
        switch members[key] {
        case nil, .null?:
            guard !required else { throw Problem.invalidBody(NodeJSONError(pointer: "/\(key)", "required")) }
            return nil
        case .integer(let value)? where range.contains(value):
            return value
        default:
            throw Problem.invalidBody(NodeJSONError(
                pointer: "/\(key)", "expected an integer from \(range.lowerBound) to \(range.upperBound)"))
        }
    }

    static func number(_ members: [String: RequestJSON], _ key: String, range: ClosedRange<Double>) throws(Problem)
        -> Double?
    {
        guard let value = members[key], value != .null else { return nil }
        guard let number = value.numberValue, range.contains(number) else {
            throw Problem.invalidBody(NodeJSONError(
                pointer: "/\(key)", "expected a number from \(range.lowerBound) to \(range.upperBound)"))
        }
        return number
    }

    /// Runs `body`, mapping the orchestrator's refusals to problems.
    static func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as FirmwareUpdateError {
            throw Problem.firmwareUpdate(error)
        }
    }
}

extension RequestJSON {
    /// The value as a number, when it is one.
    var numberValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .unsignedInteger(let value): Double(value)
        case .float(let value): value
        default: nil
        }
    }
}

extension Problem {
    static func firmwareUpdateNotFound(_ id: Int64) -> Problem {
        Problem(type: typeBase + "firmware-update-not-found", title: "Firmware update not found", status: .notFound,
                detail: "There is no firmware update \(id).")
    }

    static func campaignNotFound(_ id: Int64) -> Problem {
        Problem(type: typeBase + "campaign-not-found", title: "Campaign not found", status: .notFound,
                detail: "There is no campaign \(id).")
    }

    static func firmwareUpdate(_ error: FirmwareUpdateError) -> Problem {
        switch error {
        case .unknownEndpoint(let name):
            return .endpointNotFound(name)
        case .unknownEndpoints(let names):
            return Problem(type: typeBase + "unknown-endpoints", title: "Unknown endpoints",
                           status: .unprocessableContent,
                           detail: "No endpoint is stored under: \(names.joined(separator: ", ")).")
        case .unknownFirmware(let id):
            return Problem(type: typeBase + "firmware-not-found", title: "Firmware not found",
                           status: .unprocessableContent, detail: "There is no firmware image \(id).")
        case .updateActive(let endpoint, let id):
            return Problem(type: typeBase + "firmware-update-active", title: "Firmware update active",
                           status: .conflict,
                           detail: "Endpoint '\(endpoint)' has an active firmware update (\(id)); one at a time.",
                           extensions: ["updateId": "\(id)"])
        case .unsupportedMethod(let endpoint, let reason):
            return Problem(type: typeBase + "firmware-method-unsupported", title: "Delivery method not supported",
                           status: .unprocessableContent, detail: "Endpoint '\(endpoint)': \(reason).")
        case .updateNotFound(let id):
            return .firmwareUpdateNotFound(id)
        case .campaignNotFound(let id):
            return .campaignNotFound(id)
        case .noTargets:
            return Problem(type: typeBase + "campaign-no-targets", title: "No target devices",
                           status: .unprocessableContent, detail: "The campaign's targets match no stored endpoint.")
        case .campaignStatus(let id, let status, let action):
            return Problem(type: typeBase + "campaign-status", title: "Not possible in this status",
                           status: .conflict, detail: "Campaign \(id) is \(status): it cannot \(action).")
        }
    }
}

extension FirmwareUpdateView: ResponseEncodable {}
extension CampaignView: ResponseEncodable {}
