import Foundation
import Logging
import LwM2M
import ResourceModel
import ServiceLifecycle

/// Runs the orchestrator: restores what a previous run left active, then feeds it operation changes, the
/// `/5/0/3` and `/5/0/5` values stored (the lossless internal path, never dropped), registration events and a
/// tick, until graceful shutdown. The streams are made when the server is built, so nothing between building
/// and running is missed.
public struct FirmwareService: Service {
    public let orchestrator: FirmwareOrchestrator
    private let operationChanges: AsyncStream<EndpointOperation>
    private let reports: StoredReports
    private let registrationEvents: AsyncStream<RegistrationEvent>
    private let tickInterval: Duration
    private let logger: Logger

    /// Creates the service; subscribe `reports` to `FirmwareOrchestrator.reportedPaths`.
    public init(orchestrator: FirmwareOrchestrator, operationChanges: AsyncStream<EndpointOperation>,
                reports: StoredReports, registrationEvents: AsyncStream<RegistrationEvent>,
                tickInterval: Duration, logger: Logger) {
        self.orchestrator = orchestrator
        self.operationChanges = operationChanges
        self.reports = reports
        self.registrationEvents = registrationEvents
        self.tickInterval = tickInterval
        self.logger = logger
    }

    public func run() async throws {
        do {
            try await orchestrator.restore()
        } catch {
            logger.error("cannot restore firmware updates", metadata: ["error": "\(error)"])
        }
        let orchestrator = orchestrator
        let tickInterval = tickInterval
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { for await change in operationChanges { await orchestrator.operationChanged(change) } }
                group.addTask { for await report in reports { await orchestrator.reported(report) } }
                group.addTask {
                    for await event in registrationEvents { await orchestrator.registrationChanged(event) }
                }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: tickInterval)
                        guard !Task.isCancelled else { return }
                        await orchestrator.tick()
                    }
                }
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    try? await Task.sleep(for: .milliseconds(100))
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            reports.cancel()
        }
    }
}
