import Foundation
import Hummingbird
import LwM2M
import ResourceModel

/// Where the synchronous device-management routes send: straight to the device when it is reachable; for a
/// queue-mode device that is asleep, into the operation queue, answered `202 Accepted` with the queued
/// operation (`QueuedForSleepingDevice`) instead of failing. `?expiresIn=SECONDS` gives the queued operation
/// a deadline.
struct DeviceGateway: Sendable {
    let deviceManagement: any DeviceManagement
    let dispatcher: OperationDispatcher?

    /// Sends `request` now, or queues it when `endpoint` sleeps (throwing `QueuedForSleepingDevice`); `queueing:
    /// false` (HEAD, which must not change anything) always sends. A queue-mode device's answer keeps it awake
    /// for the dispatcher; its silence puts it to sleep.
    func send(_ request: DeviceRequest, to endpoint: String, options: DeviceRequestOptions, queueing: Bool = true)
        async throws -> DeviceResponse
    {
        if queueing {
            try await Self.queueIfAsleep(.device(request), endpoint: endpoint, options: options, dispatcher: dispatcher)
        }
        do {
            let response = try await deviceManagement.send(request, to: endpoint, format: options.format, timeout: options.timeout)
            dispatcher?.deviceActive(endpoint)
            return response
        } catch {
            switch error.kind {
            case .deviceError, .invalidResponse: dispatcher?.deviceActive(endpoint)
            case .timeout, .unreachable: dispatcher?.deviceUnresponsive(endpoint)
            case .unknownEndpoint, .offline, .invalidRequest, .limitExceeded: break
            }
            throw Problem(error, endpoint: endpoint)
        }
    }

    /// Queues `request` and throws `QueuedForSleepingDevice` when `endpoint` is a queue-mode device asleep.
    static func queueIfAsleep(_ request: OperationRequest, endpoint: String, options: DeviceRequestOptions,
                              dispatcher: OperationDispatcher?) async throws {
        guard let dispatcher, dispatcher.presence(of: endpoint) == .sleeping else { return }
        let operation = NewOperation(
            request: request, expiresAt: options.expiresIn.map { Date().addingTimeInterval($0) })
        let queued: EndpointOperation?
        do {
            queued = try await dispatcher.enqueue(operation, for: [endpoint], limited: true).first
        } catch let error as OperationQueueError {
            guard case .tooManyOpen = error else { throw error }
            throw Problem.limitExceeded("\(error). Nothing was queued.")
        }
        guard let queued else { return }
        throw QueuedForSleepingDevice(operation: queued)
    }
}

/// The answer to a synchronous route whose device sleeps: `202 Accepted`, `Location: /api/v1/operations/{id}`,
/// and the queued operation (`OperationDTO`). Thrown by `DeviceGateway`, turned into the response by
/// `ProblemMiddleware`, so every route answers it the same way.
struct QueuedForSleepingDevice: Error {
    let operation: EndpointOperation

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try OperationDTO(operation).response(from: request, context: context)
        response.status = .accepted
        response.headers[.location] = "/api/v1/operations/\(operation.id)"
        return response
    }
}
