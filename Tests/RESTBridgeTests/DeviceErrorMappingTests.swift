import CoAP
import Foundation
import Hummingbird
import HummingbirdTesting
import LwM2M
import Testing

@testable import RESTBridge

@Suite("Device errors as problem+json")
struct DeviceErrorMappingTests {
    @Test("each kind of failure has its status, type and title", arguments: [
        (DeviceRequestError(.offline, "endpoint 'alpha' is not registered"), 409,
         "endpoint-offline", "Endpoint offline", "endpoint 'alpha' is not registered"),
        (DeviceRequestError(.invalidRequest, "TLV cannot carry this node"), 400,
         "invalid-device-request", "Invalid device request", "TLV cannot carry this node"),
        (DeviceRequestError(.timeout, "no answer within 5 seconds"), 504,
         "device-timeout", "Device timeout", "no answer within 5 seconds"),
        (DeviceRequestError(.invalidResponse, "malformed SenML"), 502,
         "invalid-device-response", "Invalid device response", "malformed SenML"),
        (DeviceRequestError(.unreachable, "reset by peer"), 502,
         "device-unreachable", "Device unreachable", "reset by peer"),
        (DeviceRequestError(.unknownEndpoint, "no endpoint 'alpha'"), 404,
         "endpoint-not-found", "Endpoint not found", "No endpoint named 'alpha' has registered."),
    ])
    func kinds(error: DeviceRequestError, status: Int, type: String, title: String, detail: String) async throws {
        let devices = FakeDeviceManagement(failing: error)
        let response = try await send(.get, "\(alpha)/3/0/0", devices: devices)
        #expect(response.status.code == status)
        #expect(response.headers[.contentType] == "application/problem+json")
        #expect(try problem(response) == ProblemBody(
            type: "https://lwm2m.dev/problems/\(type)", title: title, status: status, detail: detail,
            instance: "\(alpha)/3/0/0"))
        #expect(devices.calls.count == 1)
    }

    /// CoAP error codes (class, detail) and the HTTP status each becomes.
    static let codes: [(UInt8, UInt8, Int)] = [
        (4, 0, 400), (4, 1, 403), (4, 3, 403), (4, 4, 404), (4, 5, 405), (4, 6, 406), (4, 9, 409), (4, 12, 412),
        (4, 13, 413), (4, 15, 415), (4, 22, 422), (4, 2, 400), (4, 8, 400), (5, 0, 502), (5, 1, 502), (5, 3, 502),
    ]

    @Test("a device error code becomes an HTTP status and a coapCode member", arguments: codes)
    func deviceCodes(codeClass: UInt8, detail: UInt8, status: Int) async throws {
        let code = CoAPCode(codeClass, detail)
        let devices = FakeDeviceManagement(failing: DeviceRequestError(.deviceError, "", coapCode: code))
        let response = try await send(.put, "\(alpha)/3/0/14", body: #"{"value":"Z"}"#, devices: devices)
        #expect(response.status.code == status)
        #expect(try problem(response) == ProblemBody(
            type: "https://lwm2m.dev/problems/device-error", title: "Device error", status: status,
            detail: "The device answered \(code).", instance: "\(alpha)/3/0/14", coapCode: code.description))
    }

    @Test("the device's message is kept in the detail")
    func deviceMessage() async throws {
        let devices = FakeDeviceManagement(
            failing: DeviceRequestError(.deviceError, "Not Found", coapCode: CoAPCode(4, 4)))
        let response = try await send(.get, "\(alpha)/3/0/99", devices: devices)
        let body = try problem(response)
        #expect(body.detail == "The device answered 4.04: Not Found")
        #expect(body.coapCode == "4.04")
        #expect(try jsonObject(response)["coapCode"] as? String == "4.04")
    }
}
