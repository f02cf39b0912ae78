import CoAP
import Crypto
import Foundation
import LwM2M
import X509

/// The server's own key and certificate for DTLS with certificates and raw public keys: from `--tls-key` and
/// `--tls-cert` (PEM), or a self-signed P-256 pair generated into the data directory at first start and reused
/// after (`dtls-key.pem`, mode 0600, and `dtls-cert.pem`).
public struct DTLSServerIdentity: Sendable {
    /// The generated key's file name in the data directory.
    public static let keyFileName = "dtls-key.pem"
    /// The generated certificate's file name in the data directory.
    public static let certificateFileName = "dtls-cert.pem"

    /// The certificate (PEM).
    public var certificatePEM: String
    /// The private key (PEM).
    public var privateKeyPEM: String
    /// The public key as a SubjectPublicKeyInfo (PEM `PUBLIC KEY`).
    public var publicKeyPEM: String
    /// The public key as base64 of its DER SubjectPublicKeyInfo: what an RPK device holds as the server's key
    /// (LwM2M Security object resource 4, "Server Public Key").
    public var publicKeyBase64: String
    /// The certificate's subject, as printed.
    public var subject: String
    /// Where the key and certificate came from (the files read or written), `nil` for a pair made in memory.
    public var files: (key: URL, certificate: URL)?
    /// Whether this start generated the pair.
    public var generated: Bool

    /// The identity from the files given, else the pair in `dataDirectory` (generated there when missing), else
    /// (an in-memory server) a pair generated for this run.
    public static func resolve(keyFile: URL?, certificateFile: URL?, dataDirectory: URL?) throws -> DTLSServerIdentity {
        switch (keyFile, certificateFile) {
        case (let key?, let certificate?):
            return try load(key: key, certificate: certificate, generated: false)
        case (nil, nil):
            break
        default:
            throw ServerStartError("--tls-key and --tls-cert go together: give both, or neither for a generated pair")
        }
        guard let dataDirectory else { return try generate() }
        let key = dataDirectory.appendingPathComponent(keyFileName)
        let certificate = dataDirectory.appendingPathComponent(certificateFileName)
        let manager = FileManager.default
        if manager.fileExists(atPath: key.path), manager.fileExists(atPath: certificate.path) {
            return try load(key: key, certificate: certificate, generated: false)
        }
        var identity = try generate()
        try manager.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        guard manager.createFile(
            atPath: key.path, contents: Data(identity.privateKeyPEM.utf8), attributes: [.posixPermissions: 0o600])
        else { throw ServerStartError("cannot write the generated DTLS key to \(key.path)") }
        try Data(identity.certificatePEM.utf8).write(to: certificate)
        identity.files = (key, certificate)
        return identity
    }

    /// A fresh self-signed P-256 certificate, valid for ten years, named `lwm2m-server`.
    static func generate() throws -> DTLSServerIdentity {
        let key = P256.Signing.PrivateKey()
        let privateKey = Certificate.PrivateKey(key)
        let name = try DistinguishedName { CommonName("lwm2m-server") }
        let now = Date()
        var serial = SystemRandomNumberGenerator()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(bytes: (0..<16).map { _ in UInt8.random(in: 0...255, using: &serial) & 0x7f }),
            publicKey: privateKey.publicKey, notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(10 * 365 * 86_400), issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                KeyUsage(digitalSignature: true, keyAgreement: true)
                SubjectAlternativeNames([.dnsName("lwm2m-server")])
            },
            issuerPrivateKey: privateKey)
        var identity = try DTLSServerIdentity(
            certificatePEM: certificate.serializeAsPEM().pemString, privateKeyPEM: key.pemRepresentation)
        identity.generated = true
        return identity
    }

    /// The identity in two PEM files.
    static func load(key: URL, certificate: URL, generated: Bool) throws -> DTLSServerIdentity {
        let keyText: String, certificateText: String
        do {
            keyText = try String(contentsOf: key, encoding: .utf8)
            certificateText = try String(contentsOf: certificate, encoding: .utf8)
        } catch {
            throw ServerStartError("cannot read the DTLS key or certificate (\(key.path), \(certificate.path)): \(error)")
        }
        do {
            var identity = try DTLSServerIdentity(certificatePEM: certificateText, privateKeyPEM: keyText)
            identity.files = (key, certificate)
            identity.generated = generated
            return identity
        } catch let error as ServerStartError {
            throw error
        } catch {
            throw ServerStartError("\(certificate.path): not a PEM certificate the server can read: \(error)")
        }
    }

    /// The identity of a PEM certificate (the first of a chain) and its private key.
    init(certificatePEM: String, privateKeyPEM: String) throws {
        let certificate = try Certificate(pemEncoded: certificatePEM)
        let privateKey: Certificate.PrivateKey
        do {
            privateKey = try Certificate.PrivateKey(pemEncoded: privateKeyPEM)
        } catch {
            throw ServerStartError("the DTLS private key is not a PEM key the server can read: \(error)")
        }
        guard privateKey.publicKey == certificate.publicKey else {
            throw ServerStartError("the DTLS private key does not belong to the certificate's public key")
        }
        self.certificatePEM = certificatePEM
        self.privateKeyPEM = privateKeyPEM
        publicKeyPEM = try certificate.publicKey.serializeAsPEM().pemString
        publicKeyBase64 = Data(try certificate.publicKey.serializeAsPEM().derBytes).base64EncodedString()
        subject = certificate.subject.description
        files = nil
        generated = false
    }

    /// The server credential for `LwM2MServer`, presenting `presents`, with the trusted CAs in `trustedCAFile`.
    func serverCredential(presents: CoAPEndpoint.PKI.Presentation, trustedCAFile: String?) -> LwM2MServer.ServerCredential {
        LwM2MServer.ServerCredential(
            certificatePEM: Array(certificatePEM.utf8), publicKeyPEM: Array(publicKeyPEM.utf8),
            privateKeyPEM: Array(privateKeyPEM.utf8), presents: presents, trustedCAFile: trustedCAFile)
    }
}
