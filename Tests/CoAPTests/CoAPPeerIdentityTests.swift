import Foundation
import Testing

@testable import CoAP

/// libcoap names raw-public-key and certificate peers through one callback (with cn "RPK" for the first): the DER
/// it passes tells them apart.
@Suite struct CoAPPeerIdentityTests {
    /// A P-256 SubjectPublicKeyInfo and a certificate made with openssl.
    static let spki = Array(Data(base64Encoded: "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEbQMbBuexEEI/sitzP5dictT7T90W711SSrGBlC/yrjO72TFp7Zx1Cil4g1UArgyRw9th2oDfX//+g031FZRPzw==")!)
    static let certificate = Array(Data(base64Encoded: "MIIBdjCCAR2gAwIBAgIUOBMERGCdNZ+XnsuhGH2+usVKTrMwCgYIKoZIzj0EAwIwETEPMA0GA1UEAwwGVGVzdENBMB4XDTI2MTIwNDA0NTEwMloXDTI3MDEwMzA0NTEwMlowETEPMA0GA1UEAwwGZGV2MWNuMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEDBb2mXw60a9ocoYKiwjEnNE5AyhkFpQ0iXp4yLMF8UUDF/YIZE8zhU6DmiNPSy1oolY6AJKwJNWkc/VTykGNHaNTMFEwDwYDVR0RBAgwBoIEZGV2MTAdBgNVHQ4EFgQUHD/vEmdFSCUwGU/M6jjC0R1DGAYwHwYDVR0jBBgwFoAUdGQ1e1RTT2p8aU34bXPckWKiucQwCgYIKoZIzj0EAwIDRwAwRAIgFuwEGU+jbcJgERLR2/dyUWnHjfWAKroWNpsoW8qB8+cCIH7PAHNsGCGxzKCTkJEu/RMl0ABe31opDcxxNzVkoSrC")!)

    @Test func aSubjectPublicKeyInfoIsToldFromACertificate() {
        #expect(CoAPPeerIdentity.isSubjectPublicKeyInfo(Self.spki))
        #expect(!CoAPPeerIdentity.isSubjectPublicKeyInfo(Self.certificate))
    }

    @Test("truncated or empty DER is neither", arguments: [0, 1, 2, 3, 10, 25])
    func truncated(length: Int) {
        #expect(!CoAPPeerIdentity.isSubjectPublicKeyInfo(Array(Self.spki.prefix(length))))
        #expect(!CoAPPeerIdentity.isSubjectPublicKeyInfo(Array(Self.certificate.prefix(length))))
    }

    @Test func descriptionsNameTheKind() {
        #expect(CoAPPeerIdentity.preSharedKey(Array("dev-1".utf8)).description == "psk:dev-1")
        #expect(CoAPPeerIdentity.certificate(name: "dev-1", der: []).description == "x509:dev-1")
        #expect(CoAPPeerIdentity.rawPublicKey(Self.spki).description.hasPrefix("rpk:"))
        #expect(CoAPPeerIdentity.rawPublicKey(Self.spki).pskIdentity == nil)
    }
}
