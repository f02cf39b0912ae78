import ArgumentParser
import CoAP
import Foundation
import Logging
import LwM2M
import ServiceLifecycle

/// `lwm2m-sim`: plays many LwM2M clients from one process, each with its own UDP socket.
@main
struct SimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lwm2m-sim",
        abstract: "LwM2M endpoint simulator: registers N clients, keeps them updated, de-registers on SIGINT/SIGTERM.")

    @Option(help: "The LwM2M server, coap://HOST:PORT, or coaps://HOST:PORT for DTLS with --psk-key, --rpk or --cert.")
    var server: String = "coap://127.0.0.1:5683"

    @Option(help: """
        With a coaps:// server: the pre-shared key in hex; every device presents its endpoint name as its PSK \
        identity (provision each with PUT /api/v1/security/{endpoint}).
        """)
    var pskKey: String?

    @Option(help: """
        With a coaps:// server: the device's raw public key (RFC 7250), a PEM file with an EC PRIVATE KEY (or a \
        PUBLIC KEY and a PRIVATE KEY); '{name}' in the path stands for the endpoint name, one key per device.
        """)
    var rpk: String?

    @Option(help: """
        With a coaps:// server and --key: the device's X.509 certificate (PEM) whose subject alternative name or \
        common name is its endpoint name; '{name}' in the path stands for the endpoint name.
        """)
    var cert: String?

    @Option(help: "The private key (PEM) of --cert; '{name}' stands for the endpoint name.")
    var key: String?

    @Option(help: "How many endpoints to simulate.")
    var count: Int = 1

    @Option(help: "Endpoint name prefix; names are PREFIX1 ... PREFIXN.")
    var prefix: String = "sim-"

    @Option(help: "Registration lifetime in seconds; updates are sent at half of it.")
    var lifetime: Int = 300

    @Option(help: "LwM2M version to announce: 1.0, 1.1 or 1.2.")
    var lwm2m: String = "1.1"

    @Option(help: """
        Content format a 1.1/1.2 device announces with ct= and answers in by default: tlv, senml-json, senml-cbor \
        (default senml-cbor). 1.0 devices announce none and use TLV.
        """)
    var format: SimulatedFormat?

    @Option(help: "Registrations started per second (spreads the initial burst).")
    var rate: Int = 500

    @Option(help: "Stop (and de-register) after this many seconds; 0 runs until SIGINT/SIGTERM.")
    var duration: Int = 0

    @Option(help: """
        Notify every observer at least every S seconds, even without pmax (0: only as the observation's \
        attributes say).
        """)
    var notifyInterval: Double = 0

    @Flag(help: "Send every notification confirmable (default: non-confirmable, every 5th confirmable).")
    var confirmableNotifications = false

    @Option(help: "Milliseconds between two looks for due notifications and Sends (the fastest a device notifies).")
    var tickMs: Int = 250

    @Option(help: """
        Every S seconds, Send (POST /dp) the temperature and humidity with their measurement times in SenML \
        (JSON with --format senml-json, else CBOR); 0: never. LwM2M 1.0 devices do not Send.
        """)
    var send: Double = 0

    @Option(help: """
        Every second, replace this file with the running counters as JSON ({"time","registered","notifications",\
        "notificationFailures","sends","sendFailures","observeAnswers"}), and once more at the end: what a \
        benchmark offered.
        """)
    var statsFile: String?

    @Option(help: "Append one JSON line per reported value (notification or Send) to this file.")
    var reportLog: String?

    @Flag(help: """
        Register in LwM2M queue mode (b=UQ with --lwm2m 1.0, b=U and the Q parameter with 1.1/1.2) and hear the \
        server only within --awake-window seconds after each message sent; other requests are dropped without a \
        response.
        """)
    var queueMode = false

    @Option(help: """
        With --queue-mode: seconds a device stays reachable after each message it sends (Register, Update, Send, \
        notification, answer); 93 is CoAP's MAX_TRANSMIT_WAIT.
        """)
    var awakeWindow: Double = 93

    @Option(help: """
        Append one JSON line per server request a device handled (and per request an asleep device dropped) to \
        this file.
        """)
    var requestLog: String?

    @Option(help: """
        Milliseconds a device waits before answering each server request (sent as a separate response after an \
        empty ACK); 0: answer at once.
        """)
    var responseDelayMs: Int = 0

    @Option(help: "Firmware Version /3/0/3 every device starts with (an installed package replaces it).")
    var firmwareVersion: String = "1.0.0"

    @Option(help: """
        Milliseconds Execute Update (/5/0/2) takes before the device reports Update Result 1 and reboots \
        (de-registers and registers anew) with the package's version.
        """)
    var fwInstallMs: Int = 500

    @Option(help: """
        The first firmware download of each device breaks off after this many bytes, as a dropped connection \
        does, and resumes from there about 1 s later (HTTP: Range/If-Range; CoAP downloads are not broken).
        """)
    var fwInterruptAt: Int?

    @Option(help: """
        Append one JSON line per firmware package a device received ({"endpoint","method","uri","size","sha256",\
        "version","resumedAt","at"}) and, at start, one per device chosen to fail ({"event":"fault","endpoint",\
        "kind"}) to this file.
        """)
    var fwLog: String?

    @Option(help: """
        The largest Block1 block (16...1024 bytes, a power of two) the devices take in a firmware push to         /5/0/0: a larger block is answered 4.13 with a Block1 option of this size, asking the server for         smaller blocks (RFC 7959 §2.9.3). The devices then handle block-wise transfers themselves, without         libcoap's block mode.
        """)
    var fwMaxBlock: Int?

    @Option(help: """
        Firmware fault of the devices --fw-fail-ratio chooses: integrity, no-flash, no-ram, connection-lost, \
        update-failed, timeout, stuck-downloading.
        """)
    var fwFail: FirmwareFault?

    @Option(help: """
        With --fw-fail: the share of devices that fail, 0...1 (round(ratio × count) devices, the same ones on \
        every run: the first by FNV-1a hash of their names).
        """)
    var fwFailRatio: Double = 1

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be at least 1") }
        guard lifetime > 0 else { throw ValidationError("--lifetime must be positive") }
        guard rate > 0 else { throw ValidationError("--rate must be positive") }
        guard notifyInterval >= 0, notifyInterval.isFinite else {
            throw ValidationError("--notify-interval must be 0 or positive")
        }
        guard send >= 0, send.isFinite else { throw ValidationError("--send must be 0 or positive") }
        guard awakeWindow > 0, awakeWindow.isFinite else { throw ValidationError("--awake-window must be positive") }
        guard responseDelayMs >= 0 else { throw ValidationError("--response-delay-ms must be 0 or positive") }
        guard !firmwareVersion.isEmpty, firmwareVersion.utf8.count <= 255 else {
            throw ValidationError("--firmware-version must be 1 to 255 bytes")
        }
        guard fwInstallMs >= 0 else { throw ValidationError("--fw-install-ms must be 0 or positive") }
        if let fwInterruptAt, fwInterruptAt <= 0 { throw ValidationError("--fw-interrupt-at must be positive") }
        if let fwMaxBlock, ![16, 32, 64, 128, 256, 512, 1024].contains(fwMaxBlock) {
            throw ValidationError("--fw-max-block must be 16, 32, 64, 128, 256, 512 or 1024")
        }
        guard fwFailRatio >= 0, fwFailRatio <= 1 else { throw ValidationError("--fw-fail-ratio must be within 0...1") }
        guard let version = LwM2MVersion(rawValue: lwm2m) else { throw ValidationError("--lwm2m must be 1.0, 1.1 or 1.2") }
        if version == .v1_0, let format, format != .tlv {
            throw ValidationError("LwM2M 1.0 devices speak TLV; --format \(format.rawValue) needs --lwm2m 1.1 or 1.2")
        }
        let address = try ServerAddress(server)
        let credentials = [pskKey != nil, rpk != nil, cert != nil].filter { $0 }.count
        if (cert == nil) != (key == nil) { throw ValidationError("--cert and --key go together") }
        if address.secure, credentials != 1 {
            throw ValidationError("a coaps:// server needs one of --psk-key, --rpk, or --cert with --key")
        }
        if !address.secure, credentials > 0 { throw ValidationError("--psk-key, --rpk and --cert need a coaps:// server") }
        if let pskKey, (try? PSKCredential.key(hex: pskKey))?.isEmpty != false {
            throw ValidationError("--psk-key must be hex, like 000102030405060708090a0b0c0d0e0f")
        }
    }

    func run() async throws {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "lwm2m-sim")
        FileDescriptorLimit.raise(toAtLeast: count + 64, logger: logger)
        var address = try ServerAddress(server)
        address.pskKey = pskKey.flatMap { try? PSKCredential.key(hex: $0) }
        address.rpkFile = rpk
        address.certificateFiles = cert.flatMap { cert in key.map { (cert, $0) } }
        let (model, _, directory) = ObjectModelRegistry.loadBuiltin()
        let missing = SimulatedObjects.required.filter { model.object($0) == nil }
        guard missing.isEmpty else {
            throw ValidationError("""
                object definitions \(missing) not found (looked in \(directory?.path ?? "no ObjectDefinitions directory")); \
                set LWM2M_OBJECT_DEFINITIONS
                """)
        }
        DeviceProfile.configure(DeviceProfile(format: format, model: model))
        let version = LwM2MVersion(rawValue: lwm2m) ?? .v1_1
        if send > 0, version == .v1_0 {
            logger.notice("--send ignored: LwM2M 1.0 devices have no Send operation")
        }
        let reporting = ReportingOptions(
            notifyInterval: notifyInterval > 0 ? notifyInterval : nil, confirmableNotifications: confirmableNotifications,
            sendInterval: send > 0 ? send : nil, reportLog: try reportLog.map { try ReportLog(path: $0) },
            statsFile: statsFile, tick: .milliseconds(max(1, tickMs)))
        let answering = AnsweringOptions(
            queueMode: queueMode, awakeWindow: awakeWindow,
            responseDelay: responseDelayMs > 0 ? .milliseconds(responseDelayMs) : nil,
            requestLog: try requestLog.map { try RequestLog(path: $0) })
        let names = (1...count).map { "\(prefix)\($0)" }
        let firmware = FirmwareOptions(
            firmwareVersion: firmwareVersion, installDelay: .milliseconds(fwInstallMs), interruptAt: fwInterruptAt,
            log: try fwLog.map { try FirmwareLog(path: $0) }, fault: fwFail,
            failing: fwFail.map { _ in Set(FirmwareFault.failing(names: names, ratio: fwFailRatio)) } ?? [],
            maxBlock: fwMaxBlock)
        let simulation = Simulation(
            server: address, names: names, lifetime: lifetime,
            version: version, rate: rate, duration: duration > 0 ? .seconds(duration) : nil, reporting: reporting,
            answering: answering, firmware: firmware, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                // Finishing after --duration is a normal end, not a failure (exit status 0).
                services: [.init(service: simulation, successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// A `coap://host:port` or `coaps://host:port` server address, with the key for DTLS.
struct ServerAddress: Sendable {
    var host: String
    var port: UInt16
    /// Whether to use CoAP over DTLS (`coaps://`).
    var secure: Bool
    /// The pre-shared key for `coaps://`; each device's identity is its endpoint name.
    var pskKey: [UInt8]?
    /// The raw public key file for `coaps://` (`{name}` stands for the endpoint name).
    var rpkFile: String?
    /// The certificate and key files for `coaps://` (`{name}` stands for the endpoint name).
    var certificateFiles: (certificate: String, key: String)?

    init(_ text: String) throws {
        guard let url = URL(string: text), let scheme = url.scheme, ["coap", "coaps"].contains(scheme),
            let host = url.host, !host.isEmpty
        else {
            throw ValidationError("--server must look like coap://HOST:PORT or coaps://HOST:PORT, got '\(text)'")
        }
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        secure = scheme == "coaps"
        port = UInt16(url.port ?? (secure ? 5684 : 5683))
    }

    /// The PSK a device named `name` presents, for a `coaps://` server.
    func psk(for name: String) -> CoAPEndpoint.PSK? {
        guard secure, let pskKey else { return nil }
        return CoAPEndpoint.PSK(identity: Array(name.utf8), key: pskKey)
    }

    /// What a device named `name` presents in its DTLS handshake, `nil` for `coap://`; throws when a key or
    /// certificate file cannot be read.
    func credential(for name: String) throws -> CoAPEndpoint.ClientCredential? {
        guard secure else { return nil }
        func read(_ template: String) throws -> [UInt8] {
            let path = template.replacingOccurrences(of: "{name}", with: name)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("cannot read \(path) for device \(name)")
            }
            return Array(data)
        }
        if let rpkFile { return .rawPublicKey(keyPEM: try read(rpkFile)) }
        if let (certificate, key) = certificateFiles {
            return .certificate(certificatePEM: try read(certificate), privateKeyPEM: try read(key))
        }
        return psk(for: name).map { .psk($0) }
    }

}

extension Logger.Level: @retroactive ExpressibleByArgument {}
