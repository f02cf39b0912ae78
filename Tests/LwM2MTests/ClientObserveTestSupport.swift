import CoAP
import Foundation
import Testing
@testable import LwM2M

/// The session an observing server sits on in the observe tests.
let observeSession = CoAPSessionID(rawValue: 7)
/// The token of the observe tests' Observe requests.
let observeToken: [UInt8] = [0xA1, 0xB2, 0xC3]

/// `clientNow` plus `seconds`: the injected clock of the observe tests.
func observeTime(_ seconds: Double) -> Date { clientNow.addingTimeInterval(seconds) }

/// A GET with the Observe option (0 registers, 1 cancels; RFC 7641 §2).
func observeRequest(_ path: String, observe: UInt32 = 0, accept: ContentFormat? = nil) -> CoAPRequest {
    var request = clientRequest(.get, path, accept: accept)
    request.observe = observe
    return request
}

/// A FETCH `/` with the Observe option and a SenML path list (Observe-Composite, LwM2M 1.1 Core §6.4.3).
func observeCompositeRequest(_ paths: [String], format: ContentFormat = .senmlJSON, observe: UInt32 = 0,
                             accept: ContentFormat? = nil) -> CoAPRequest {
    let payload = try! SenMLPathList.encode(paths.map(clientPath), format: format)
    var request = clientRequest(.fetch, "/", format: format, accept: accept, payload: payload)
    request.observe = observe
    return request
}

extension ClientObjectTree {
    /// Processes `request` as sent by the observe tests' server.
    mutating func observe(_ request: CoAPRequest, session: CoAPSessionID = observeSession,
                          token: [UInt8] = observeToken, at seconds: Double = 0) -> CoAPResponse {
        process(request, session: session, token: token, now: observeTime(seconds)).response
    }

    /// Sets the temperature `/3303/0/5700`.
    mutating func setTemperature(_ value: Double) {
        try! setValue(.float(value), at: clientPath("/3303/0/5700"))
    }

    /// Writes attributes at `path` through Write-Attributes; they must be accepted.
    mutating func writeAttributes(_ path: String, _ query: [String]) {
        let response = handle(clientRequest(.put, path, query: query), now: clientNow)
        precondition(response.code == .changed, "\(path) \(query): \(response.payloadText)")
    }

    /// Expects the notifications due at `seconds` to carry exactly these Observe values.
    mutating func expectNotified(_ expected: [UInt32?], at seconds: Double, maximumInterval: TimeInterval? = nil,
                                 sourceLocation: SourceLocation = #_sourceLocation) {
        let sequences = dueNotifications(now: observeTime(seconds), maximumInterval: maximumInterval)
            .map(\.response.observe)
        #expect(sequences == expected, sourceLocation: sourceLocation)
    }
}
