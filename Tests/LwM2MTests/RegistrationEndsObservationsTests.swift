import CoAP
import Foundation
import Logging
import Testing

@testable import LwM2M

/// A registration and its observations have one owner: when the registration ends, its observations end in the
/// same step, so a notification right after a de-registration is answered with a Reset and never stored.
@Suite(.serialized)
struct RegistrationEndsObservationsTests {
    let logger = Logger(label: "registration-ends-observations") { _ in SwiftLogNoOpLogHandler() }
    let path = try! LwM2MPath("/3303/0/5700")

    @Test func aNotificationRightAfterADeregistrationIsResetAndNotStored() async throws {
        let fixture = StaleObservationTests()
        let reports = StaleObservationTests.Reports()
        let server = fixture.server(clock: StaleObservationTests.Clock(), reports: reports)
        try server.start()
        let running = Task { try await server.run() }
        defer { running.cancel() }
        let device = StaleObservationTests.Device(logger: logger)
        defer { device.endpoint.stop() }
        let (session, location) = try await device.register(port: server.boundPort ?? 0, name: "leaving-1")
        let observation = try #require(try await server.observe(
            endpoint: "leaving-1", paths: [path], composite: false, attributes: nil, format: ContentFormat.text,
            timeout: Duration.seconds(5)).first)
        try await device.notify(observation.token, value: "22.5")
        try await fixture.eventually("the live notification is stored") { reports.count == 2 }

        // De-register, then at once notify with the observation's token, as a device that sends one last value.
        let deleted = try await device.endpoint.send(CoAPRequest(method: .delete, uriPath: location), on: session)
        #expect(deleted.code == CoAPCode.deleted)
        #expect(await server.observations(endpoint: "leaving-1").isEmpty, "gone in the same step as the registration")
        try await device.notify(observation.token, value: "99.5")
        try await fixture.eventually("answered with a Reset") { device.resets.contains(observation.token) }
        try await Task.sleep(for: .milliseconds(100))
        #expect(reports.count == 2, "nothing stored after the de-registration")
    }

    @Test func aNewRegistrationTakesTheOldObservationsAndRemakesThem() async throws {
        let fixture = StaleObservationTests()
        let server = fixture.server(clock: StaleObservationTests.Clock())
        try server.start()
        let running = Task { try await server.run() }
        defer { running.cancel() }
        let device = StaleObservationTests.Device(logger: logger)
        defer { device.endpoint.stop() }
        let (session, _) = try await device.register(port: server.boundPort ?? 0, name: "reboot-1")
        let old = try #require(try await server.observe(
            endpoint: "reboot-1", paths: [path], composite: false, attributes: nil, format: ContentFormat.text,
            timeout: Duration.seconds(5)).first)
        // Registers again (a reboot): the old token is dead at once, and the observation is made anew.
        let again = try await device.endpoint.send(
            CoAPRequest(method: .post, uriPath: ["rd"], uriQuery: ["ep=reboot-1", "lt=86400", "lwm2m=1.1"],
                        contentFormat: 40, payload: Array("</3303/0>".utf8)),
            on: session)
        #expect(again.code == CoAPCode.created)
        try await device.notify(old.token, value: "1.5")
        try await fixture.eventually("the old token is Reset") { device.resets.contains(old.token) }
        try await fixture.eventually("made anew under the new registration") {
            let now = await server.observations(endpoint: "reboot-1")
            return now.count == 1 && now[0].token != old.token && now[0].paths == [path]
        }
    }
}
