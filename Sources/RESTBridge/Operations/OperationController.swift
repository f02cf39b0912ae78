import Foundation
import Hummingbird
import HummingbirdCore
import LwM2M
import ResourceModel

/// The operation queue (issue 5): queue operations for one endpoint or many, list them, look one up with its
/// history, cancel one.
///
/// - `POST /api/v1/endpoints/{endpoint}/operations` → 201 `OperationDTO` (body: `OperationBody`)
/// - `GET /api/v1/endpoints/{endpoint}/operations?status=&before=&limit=` → 200 `OperationPageDTO`
/// - `POST /api/v1/operations` → 201 `QueuedOperationsDTO` (body: `OperationBody` plus `endpoints` or
///   `endpointPattern`; at most `bulkLimit` endpoints, else 400 and nothing queued)
/// - `GET /api/v1/operations?endpoint=&status=&before=&limit=` → 200 `OperationPageDTO`
/// - `GET /api/v1/operations/{id}` → 200 `OperationDTO` with `history`
/// - `DELETE /api/v1/operations/{id}` → 200 `OperationDTO` (cancelled); 409 when it is no longer queued
struct OperationController {
    let dispatcher: OperationDispatcher?
    let endpointStore: any EndpointStore
    let operationStore: any OperationStore
    let model: ObjectModelRegistry
    let bulkLimit: Int

    func addRoutes(to router: some RouterMethods<APIRequestContext>) {
        let endpointPath = RouterPath("/api/v1/endpoints/{endpoint}/operations")
        router.post(endpointPath, use: queueOne)
        router.get(endpointPath, use: listForEndpoint)
        router.rejectOtherMethods(endpointPath, allowed: [.get, .head, .post])
        let all = RouterPath("/api/v1/operations")
        router.post(all, use: queueMany)
        router.get(all, use: list)
        router.rejectOtherMethods(all, allowed: [.get, .head, .post])
        let one = RouterPath("/api/v1/operations/{id}")
        router.get(one, use: get)
        router.delete(one, use: cancel)
        router.rejectOtherMethods(one, allowed: [.get, .head, .delete])
    }

    @Sendable func queueOne(_ request: Request, context: APIRequestContext) async throws -> Response {
        let endpoint = try context.endpointName()
        let members = try BodyFields.members(try await request.jsonBody(), known: OperationBody.operationMembers)
        let body = try OperationBody(members, model: model, now: Date())
        let operation = try await queue(body.operation, for: [endpoint]).first!
        var response = try OperationDTO(operation).response(from: request, context: context)
        response.status = .created
        response.headers[.location] = "/api/v1/operations/\(operation.id)"
        return response
    }

    @Sendable func queueMany(_ request: Request, context: APIRequestContext) async throws -> Response {
        let members = try BodyFields.members(
            try await request.jsonBody(), known: OperationBody.operationMembers.union(["endpoints", "endpointPattern"]))
        let body = try OperationBody(members, model: model, now: Date())
        let endpoints: [String]
        switch (members["endpoints"], try BodyFields.string(members, "endpointPattern")) {
        case (nil, let pattern?), (.null?, let pattern?):
            guard !pattern.isEmpty else { throw OperationBody.invalid("/endpointPattern", "expected a glob like sim-*") }
            endpoints = try await endpointStore.endpointNames(matching: GlobPattern(pattern))
            guard !endpoints.isEmpty else {
                throw OperationBody.invalid("/endpointPattern", "no endpoint matches '\(pattern)'")
            }
        case (nil, nil), (.null?, nil):
            throw OperationBody.invalid("", "give the target endpoints as endpoints (a list) or endpointPattern (a glob)")
        case (_?, nil):
            let names = try BodyFields.strings(members, "endpoints", required: true).map(EndpointName.canonical)
            var seen = Set<String>()
            for (index, name) in names.enumerated() where !seen.insert(name).inserted {
                throw OperationBody.invalid("/endpoints/\(index)", "'\(name)' appears twice")
            }
            endpoints = names
        case (_?, _?):
            throw OperationBody.invalid("/endpointPattern", "give either endpoints or endpointPattern, not both")
        }
        guard endpoints.count <= bulkLimit else {
            throw Problem(
                type: Problem.typeBase + "too-many-operations", title: "Too many operations", status: .badRequest,
                detail: "The request targets \(endpoints.count) endpoints; at most \(bulkLimit) per request. Nothing was queued.",
                extensions: ["limit": String(bulkLimit), "count": String(endpoints.count)])
        }
        let operations = try await queue(body.operation, for: endpoints)
        var response = try QueuedOperationsDTO(
            count: operations.count, ids: operations.map(\.id),
            operations: operations.map { .init(id: $0.id, endpoint: $0.endpoint, status: $0.status.rawValue) }
        ).response(from: request, context: context)
        response.status = .created
        return response
    }

    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> OperationPageDTO {
        let query = request.uri.queryParameters
        let endpoint = query["endpoint"].map(String.init)
        if let endpoint, try await endpointStore.endpoint(named: endpoint) == nil { throw Problem.endpointNotFound(endpoint) }
        return try await page(endpoint: endpoint, query: query)
    }

    @Sendable func listForEndpoint(_ request: Request, context: APIRequestContext) async throws -> OperationPageDTO {
        let endpoint = try context.endpointName()
        guard try await endpointStore.endpoint(named: endpoint) != nil else { throw Problem.endpointNotFound(endpoint) }
        return try await page(endpoint: endpoint, query: request.uri.queryParameters)
    }

    @Sendable func get(_ request: Request, context: APIRequestContext) async throws -> OperationDTO {
        let id = try Self.operationID(context)
        guard let (operation, history) = try await operationStore.operation(id: id) else { throw Self.notFound(id) }
        return OperationDTO(operation, history: history)
    }

    @Sendable func cancel(_ request: Request, context: APIRequestContext) async throws -> OperationDTO {
        let id = try Self.operationID(context)
        guard let dispatcher else { throw Problem.unavailable("The operation queue") }
        guard let change = try await dispatcher.cancel(id: id) else { throw Self.notFound(id) }
        if case .rejected(let reason) = change.action {
            throw Problem(
                type: Problem.typeBase + "operation-not-cancellable", title: "Operation not cancellable",
                status: .conflict, detail: "Operation \(id): \(reason).",
                extensions: ["operationStatus": change.operation.status.rawValue])
        }
        let history = try await operationStore.operation(id: id)?.history
        return OperationDTO(change.operation, history: history)
    }

    // MARK: - Helpers

    private func queue(_ operation: NewOperation, for endpoints: [String]) async throws -> [EndpointOperation] {
        guard let dispatcher else { throw Problem.unavailable("The operation queue") }
        do {
            return try await dispatcher.enqueue(operation, for: endpoints, limited: true)
        } catch let error as OperationQueueError {
            switch error {
            case .tooManyOpen:
                throw Problem.limitExceeded("\(error). Nothing was queued.")
            case .unknownEndpoints(let names) where names.count == 1 && endpoints.count == 1:
                throw Problem.endpointNotFound(names[0])
            case .unknownEndpoints(let names):
                throw Problem(
                    type: Problem.typeBase + "endpoint-not-found", title: "Endpoint not found", status: .notFound,
                    detail: "\(error). Nothing was queued.", extensions: ["unknown": names.joined(separator: ",")])
            }
        }
    }

    private func page(endpoint: String?, query: FlatDictionary<Substring, Substring>) async throws -> OperationPageDTO {
        var status: OperationStatus?
        if let text = query["status"].map(String.init) {
            guard let given = OperationStatus(rawValue: text) else {
                throw Problem.invalidQueryParameter(
                    "status", value: text,
                    expected: OperationStatus.allCases.map(\.rawValue).joined(separator: ", "))
            }
            status = given
        }
        var before: Int64?
        if let text = query["before"].map(String.init) {
            guard let id = Int64(text), id > 0 else {
                throw Problem.invalidQueryParameter("before", value: text, expected: "an operation id")
            }
            before = id
        }
        let limit = try QueryParameters.limit(query["limit"].map(String.init))
        let operations = try await operationStore.operations(endpoint: endpoint, status: status, before: before, limit: limit)
        return OperationPageDTO(
            operations: operations.map { OperationDTO($0) },
            nextBefore: operations.count == limit ? operations.last?.id : nil)
    }

    private static func operationID(_ context: APIRequestContext) throws -> Int64 {
        let text = try context.parameters.require("id")
        guard let id = Int64(text), id > 0 else {
            throw Problem(
                type: Problem.typeBase + "operation-not-found", title: "Operation not found", status: .notFound,
                detail: "'\(text)' is not an operation id.")
        }
        return id
    }

    private static func notFound(_ id: Int64) -> Problem {
        Problem(
            type: Problem.typeBase + "operation-not-found", title: "Operation not found", status: .notFound,
            detail: "There is no operation \(id).")
    }
}
