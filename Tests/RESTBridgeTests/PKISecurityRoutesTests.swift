import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import LwM2M
import ResourceModel
import Testing

@testable import RESTBridge

/// `PUT /api/v1/security/{endpoint}` with `mode` `rpk` and `x509` (issue P8, item 1) over a real in-memory database
/// and the in-memory store the handshake reads.
@Suite("Security routes: raw public keys and certificates")
struct PKISecurityRoutesTests {
    typealias Setup = SecurityRoutesTests.Setup

    static let key = P256.Signing.PrivateKey().publicKey

    @Test("rpk: base64 DER and PEM are both taken and stored as the canonical DER the handshake reports")
    func rawPublicKey() async throws {
        let s = try await SecurityRoutesTests.setup()
        let der = Array(Self.key.derRepresentation)
        let created = try await s.send(
            .put, "/api/v1/security/rpk-1", body: #"{"mode":"rpk","publicKey":"\#(Data(der).base64EncodedString())"}"#)
        #expect(created.status == .created)
        let body = try jsonObject(created)
        #expect(Set(body.keys) == ["endpoint", "mode", "publicKey", "createdAt", "updatedAt"])
        #expect(body["publicKey"] as? String == Data(der).base64EncodedString())
        #expect(s.store?.credential(forPublicKey: der)?.endpoint == "rpk-1")
        #expect(s.store?.acceptsHandshake(of: .rawPublicKey(der)) == true)
        // The same key as PEM (escaped newlines in JSON) for another endpoint: the same bytes, so 409.
        let pem = Self.key.pemRepresentation.replacingOccurrences(of: "\n", with: "\\n")
        let taken = try await s.send(.put, "/api/v1/security/rpk-2", body: #"{"mode":"rpk","publicKey":"\#(pem)"}"#)
        #expect(taken.status == .conflict)
        #expect(try problem(taken).type.hasSuffix("public-key-taken"))
        #expect(s.store?.pkiCredential(forEndpoint: "rpk-2") == nil)
        // PEM for the same endpoint: a replacement (200), same key.
        let replaced = try await s.send(.put, "/api/v1/security/rpk-1", body: #"{"mode":"rpk","publicKey":"\#(pem)"}"#)
        #expect(replaced.status == .ok)
        #expect(try jsonObject(replaced)["publicKey"] as? String == Data(der).base64EncodedString())
    }

    @Test("x509: the subject defaults to the endpoint name; a subject another endpoint has is 409")
    func certificateSubject() async throws {
        let s = try await SecurityRoutesTests.setup()
        let created = try await s.send(.put, "/api/v1/security/meter-1", body: #"{"mode":"x509"}"#)
        #expect(created.status == .created)
        #expect(try jsonObject(created)["subject"] as? String == "meter-1")
        #expect(s.store?.identity(.certificate(name: "meter-1", der: []), mayActAs: "meter-1") == true)
        #expect(s.store?.identity(.certificate(name: "meter-2", der: []), mayActAs: "meter-1") == false)
        let taken = try await s.send(.put, "/api/v1/security/meter-2", body: #"{"mode":"x509","subject":"meter-1"}"#)
        #expect(taken.status == .conflict)
        #expect(try problem(taken).type.hasSuffix("subject-taken"))
        // A certificate named like an endpoint without any credential may act as it; not once the name is claimed.
        #expect(s.store?.identity(.certificate(name: "free-1", der: []), mayActAs: "free-1") == true)
        #expect(s.store?.identity(.certificate(name: "meter-1", der: []), mayActAs: "meter-2") == false)
    }

    @Test("changing the mode replaces the credential (200) in the database and the handshake's store")
    func modeSwitch() async throws {
        let s = try await SecurityRoutesTests.setup()
        let psk = try await s.send(.put, "/api/v1/security/dev", body: #"{"key":"\#(SecurityRoutesTests.key16)"}"#)
        #expect(psk.status == .created)
        #expect(s.key("dev") != nil)
        let x509 = try await s.send(.put, "/api/v1/security/dev", body: #"{"mode":"x509","subject":"SN-1"}"#)
        #expect(x509.status == .ok)
        #expect(s.key("dev") == nil)
        #expect(try await s.database.storedPSKCredentials().isEmpty)
        let fetched = try jsonObject(try await s.send(.get, "/api/v1/security/dev"))
        #expect(fetched["mode"] as? String == "x509")
        #expect(fetched["subject"] as? String == "SN-1")
        let back = try await s.send(.put, "/api/v1/security/dev", body: #"{"mode":"psk","key":"0102"}"#)
        #expect(back.status == .ok)
        #expect(try await s.database.storedPKICredentials().isEmpty)
        #expect(s.store?.pkiCredential(forEndpoint: "dev") == nil)
        #expect(s.store?.hasCredential(endpoint: "dev") == true)
        #expect(try await s.send(.delete, "/api/v1/security/dev").status == .noContent)
        #expect(s.store?.hasCredential(endpoint: "dev") == false)
        #expect(try await s.send(.get, "/api/v1/security/dev").status == .notFound)
    }
}
