import Foundation
import LwM2M
import Synchronization

@testable import RESTBridge

/// An `ObservationManagement` that keeps observations in memory and records calls; fails with `error` when set.
final class FakeObservationManagement: ObservationManagement {
    /// One recorded call.
    enum Call: Equatable, Sendable {
        case observe(endpoint: String, paths: [LwM2MPath], composite: Bool, attributes: NotificationAttributes?,
                     format: ContentFormat?, timeout: Duration)
        case cancel(endpoint: String, paths: [LwM2MPath], timeout: Duration)
    }

    private struct State {
        var observations: [Observation] = []
        var calls: [Call] = []
        var next = 1
    }

    private let state = Mutex(State())
    private let error: DeviceRequestError?

    init(failing error: DeviceRequestError? = nil) {
        self.error = error
    }

    var calls: [Call] { state.withLock { $0.calls } }

    func observe(endpoint: String, paths: [LwM2MPath], composite: Bool, attributes: NotificationAttributes?,
                 format: ContentFormat?, timeout: Duration) async throws(DeviceRequestError) -> [Observation] {
        state.withLock {
            $0.calls.append(.observe(endpoint: endpoint, paths: paths, composite: composite, attributes: attributes,
                                     format: format, timeout: timeout))
        }
        if let error { throw error }
        return state.withLock { state in
            let groups = composite ? [paths] : paths.map { [$0] }
            let made = groups.map { group -> Observation in
                defer { state.next += 1 }
                return Observation(
                    id: "obs-\(state.next)", endpoint: endpoint, registrationID: "a1", paths: group, composite: composite,
                    token: [0x0a, UInt8(state.next)], format: format ?? .senmlJSON, attributes: attributes, createdAt: t0)
            }
            state.observations += made
            return made
        }
    }

    func cancelObservations(endpoint: String, paths: [LwM2MPath], timeout: Duration)
        async throws(DeviceRequestError) -> [Observation]
    {
        state.withLock { $0.calls.append(.cancel(endpoint: endpoint, paths: paths, timeout: timeout)) }
        if let error { throw error }
        return state.withLock { state in
            let cancelled = state.observations.filter { $0.endpoint == endpoint && (paths.isEmpty || $0.paths == paths || paths.contains($0.paths[0]) && $0.paths.count == 1) }
            state.observations.removeAll { observation in cancelled.contains { $0.id == observation.id } }
            return cancelled
        }
    }

    func observations(endpoint: String) async -> [Observation] {
        state.withLock { $0.observations.filter { $0.endpoint == endpoint } }
    }
}
