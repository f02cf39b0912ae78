import Foundation

/// Keys and certificates made by the test with `openssl` (an implementation independent of the server's own
/// generator): a CA, device certificates it signed (subject alternative name = the given name), an untrusted
/// self-signed certificate, raw public keys.
struct TestPKI {
    let directory: URL

    init(directory: URL) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", path("ca-key.pem")])
        try openssl(["req", "-x509", "-new", "-key", path("ca-key.pem"), "-subj", "/CN=Test Fleet CA", "-days", "30",
                     "-out", path("ca-cert.pem")])
    }

    /// The path of `name` in the directory.
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// The CA certificate's path.
    var caCertificate: String { path("ca-cert.pem") }

    /// A device certificate and key signed by the CA, with `san` as its DNS subject alternative name and `cn` as its
    /// common name: `(certificate, key)` paths, `<file>-cert.pem` and `<file>-key.pem`.
    @discardableResult
    func deviceCertificate(file: String, san: String, cn: String = "device") throws -> (certificate: String, key: String) {
        let key = path("\(file)-key.pem"), certificate = path("\(file)-cert.pem"), request = path("\(file).csr")
        let extensions = path("\(file).ext")
        try openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key])
        try openssl(["req", "-new", "-key", key, "-subj", "/CN=\(cn)", "-out", request])
        try Data("subjectAltName=DNS:\(san)\n".utf8).write(to: URL(fileURLWithPath: extensions))
        try openssl(["x509", "-req", "-in", request, "-CA", caCertificate, "-CAkey", path("ca-key.pem"),
                     "-CAcreateserial", "-days", "30", "-extfile", extensions, "-out", certificate])
        return (certificate, key)
    }

    /// A self-signed certificate no CA vouches for, named `cn`.
    func selfSignedCertificate(file: String, cn: String) throws -> (certificate: String, key: String) {
        let key = path("\(file)-key.pem"), certificate = path("\(file)-cert.pem")
        try openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key])
        try openssl(["req", "-x509", "-new", "-key", key, "-subj", "/CN=\(cn)", "-days", "30", "-out", certificate])
        return (certificate, key)
    }

    /// A raw public key: the PEM file (an `EC PRIVATE KEY`, as coap-client-gnutls -M takes it) and the public key
    /// as base64 of its DER SubjectPublicKeyInfo (as the REST API takes it).
    func rawPublicKey(file: String) throws -> (pem: String, publicKeyBase64: String) {
        let key = path("\(file).pem"), der = path("\(file).pub.der")
        try openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key])
        try openssl(["pkey", "-in", key, "-pubout", "-outform", "DER", "-out", der])
        return (key, try Data(contentsOf: URL(fileURLWithPath: der)).base64EncodedString())
    }

    private func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestPKIError("openssl \(arguments.joined(separator: " ")): \(String(decoding: output, as: UTF8.self))")
        }
    }
}

struct TestPKIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
