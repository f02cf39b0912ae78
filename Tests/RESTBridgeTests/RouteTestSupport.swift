import Foundation
import Hummingbird
import HummingbirdTesting
import LwM2M

/// Sends one request to a fresh application (seeded database, `devices` as the device side) and returns the
/// response.
func send(
    _ method: HTTPRequest.Method, _ uri: String, body: String? = nil, headers: HTTPFields = authorized,
    devices: FakeDeviceManagement
) async throws -> TestResponse {
    let app = makeApplication(database: try await makeSeededDatabase(), devices: devices)
    return try await app.test(.router) { client in
        try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }
}

/// The call the fake received for a request with the default options (no format, 5 s).
func defaultCall(_ request: DeviceRequest, endpoint: String = "alpha") -> FakeDeviceManagement.Call {
    FakeDeviceManagement.Call(request: request, endpoint: endpoint, format: nil, timeout: .seconds(5))
}

/// The body as text.
func text(_ response: TestResponse) -> String {
    String(buffer: response.body)
}
