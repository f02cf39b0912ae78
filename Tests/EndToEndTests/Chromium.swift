import Foundation

/// Debian's `chromium` in headless mode, driven over the DevTools protocol (its WebSocket; a minimal RFC 6455
/// client below): navigate, evaluate JavaScript in the page, wait for a condition, take screenshots. Calls block:
/// make them through `onOwnThread`.
final class Chromium: @unchecked Sendable {
    static let executable = "/usr/bin/chromium"
    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    private let process = Process()
    private let profile: URL
    private var socket: CDPSocket!
    private var nextID = 0

    /// Starts the browser with a fresh profile and attaches to its first page.
    init(width: Int = 1280, height: Int = 900, logURL: URL) throws {
        profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--remote-debugging-port=0", "--user-data-dir=\(profile.path)", "--window-size=\(width),\(height)",
            "about:blank",
        ]
        process.standardOutput = log
        process.standardError = log
        try process.run()
        // Chromium writes the port it chose into the profile.
        let portFile = profile.appendingPathComponent("DevToolsActivePort")
        let deadline = Date().addingTimeInterval(30)
        var port: UInt16?
        while port == nil, Date() < deadline {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let first = text.split(separator: "\n").first {
                port = UInt16(first)
            }
            if port == nil { usleep(50_000) }
        }
        guard let port else { throw E2EError("chromium did not open its DevTools port") }
        // The page target's WebSocket path, from /json/list.
        var pagePath: String?
        while pagePath == nil, Date() < deadline {
            if let data = Self.curl("http://127.0.0.1:\(port)/json/list"),
               let targets = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]],
               let page = targets.first(where: { $0["type"] as? String == "page" }),
               let url = page["webSocketDebuggerUrl"] as? String, let path = URL(string: url)?.path {
                pagePath = path
            } else { usleep(100_000) }
        }
        guard let pagePath else { throw E2EError("chromium has no page target") }
        socket = try CDPSocket(port: port, path: pagePath)
        _ = try call("Page.enable")
    }

    deinit { close() }

    /// `url`'s body, fetched with curl (Foundation on Linux has no HTTP in `Data(contentsOf:)`).
    static func curl(_ url: String) -> Data? {
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-s", "--max-time", "5", url]
        let pipe = Pipe()
        curl.standardOutput = pipe
        curl.standardError = FileHandle.nullDevice
        guard (try? curl.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        curl.waitUntilExit()
        return curl.terminationStatus == 0 && !data.isEmpty ? data : nil
    }

    func close() {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
        try? FileManager.default.removeItem(at: profile)
    }

    /// Sends one DevTools command and returns its `result` (events in between are skipped).
    @discardableResult
    func call(_ method: String, _ params: [String: Any] = [:]) throws -> [String: Any] {
        nextID += 1
        let id = nextID
        let message = try JSONSerialization.data(withJSONObject: ["id": id, "method": method, "params": params])
        try socket.send(text: message)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            guard let frame = try socket.receive() else { continue }
            guard let json = try? JSONSerialization.jsonObject(with: frame) as? [String: Any],
                  json["id"] as? Int == id else { continue }
            if let error = json["error"] as? [String: Any] { throw E2EError("\(method): \(error)") }
            return json["result"] as? [String: Any] ?? [:]
        }
        throw E2EError("\(method): no answer")
    }

    /// Evaluates `expression` in the page (awaiting a promise) and returns its JSON value.
    func evaluate(_ expression: String) throws -> Any? {
        let result = try call("Runtime.evaluate", ["expression": expression, "awaitPromise": true, "returnByValue": true])
        if let exception = result["exceptionDetails"] as? [String: Any] {
            throw E2EError("page script failed: \((exception["exception"] as? [String: Any])?["description"] ?? exception)")
        }
        return (result["result"] as? [String: Any])?["value"]
    }

    /// Loads `url` and waits for the document to finish loading.
    func navigate(_ url: String) throws {
        try call("Page.navigate", ["url": url])
        try waitFor("document.readyState === 'complete'", what: "\(url) loaded")
    }

    /// Polls `condition` (a JavaScript expression) until it is true, at most `timeout` seconds.
    func waitFor(_ condition: String, timeout: TimeInterval = 20, what: String) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? evaluate("Boolean(\(condition))")) as? Bool == true { return }
            usleep(100_000)
        }
        let body: String
        do {
            body = try evaluate("location.href + '\\n' + (document.body ? document.body.innerText.slice(0, 2000) : '')") as? String ?? "?"
        } catch {
            body = "(cannot evaluate: \(error))"
        }
        throw E2EError("timed out waiting for \(what); the page shows:\n\(body)")
    }

    /// Writes a PNG of the page (the whole height) to `url`.
    func screenshot(to url: URL) throws {
        let metrics = try call("Page.getLayoutMetrics")
        let size = metrics["cssContentSize"] as? [String: Any] ?? metrics["contentSize"] as? [String: Any] ?? [:]
        let width = size["width"] as? Double ?? 1280, height = min(size["height"] as? Double ?? 900, 4000)
        let shot = try call("Page.captureScreenshot", [
            "format": "png", "captureBeyondViewport": true,
            "clip": ["x": 0, "y": 0, "width": width, "height": height, "scale": 1],
        ])
        guard let base64 = shot["data"] as? String, let data = Data(base64Encoded: base64) else {
            throw E2EError("no screenshot data")
        }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }
}

/// A WebSocket client over a blocking TCP socket: masked text frames out, whole (reassembled) messages in.
final class CDPSocket {
    private let fd: Int32

    init(port: UInt16, path: String) throws {
        fd = try connectLoopback(port: port, receiveTimeout: 30, what: "devtools")
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        try write(Array(request.utf8))
        var head: [UInt8] = []
        while !head.suffix(4).elementsEqual([13, 10, 13, 10]) {
            head += try read(1)
        }
        guard String(decoding: head, as: UTF8.self).hasPrefix("HTTP/1.1 101") else {
            throw E2EError("devtools: no upgrade: \(String(decoding: head, as: UTF8.self))")
        }
    }

    deinit { Foundation.close(fd) }

    func send(text payload: Data) throws {
        var frame: [UInt8] = [0x81]
        let count = payload.count
        if count < 126 {
            frame.append(0x80 | UInt8(count))
        } else if count <= 0xFFFF {
            frame.append(0x80 | 126)
            frame += [UInt8(count >> 8), UInt8(count & 0xFF)]
        } else {
            frame.append(0x80 | 127)
            frame += (0..<8).reversed().map { UInt8((count >> ($0 * 8)) & 0xFF) }
        }
        let mask: [UInt8] = (0..<4).map { _ in UInt8.random(in: 0...255) }
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        try write(frame)
    }

    /// The next whole message (continuation frames joined); `nil` for a control frame.
    func receive() throws -> Data? {
        var message: [UInt8] = []
        while true {
            let header = try read(2)
            let fin = header[0] & 0x80 != 0, opcode = header[0] & 0x0F
            var length = Int(header[1] & 0x7F)
            if length == 126 {
                let bytes = try read(2)
                length = Int(bytes[0]) << 8 | Int(bytes[1])
            } else if length == 127 {
                length = try read(8).reduce(0) { $0 << 8 | Int($1) }
            }
            let payload = try read(length)
            if opcode == 0x8 { throw E2EError("devtools: socket closed") }
            if opcode >= 0x8 { return nil }  // ping/pong
            message += payload
            if fin { return Data(message) }
        }
    }

    private func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBufferPointer { Foundation.send(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw E2EError("devtools: send failed") }
            sent += n
        }
    }

    private func read(_ count: Int) throws -> [UInt8] {
        guard count > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = buffer.withUnsafeMutableBufferPointer { recv(fd, $0.baseAddress! + got, count - got, 0) }
            guard n > 0 else { throw E2EError("devtools: read failed (\(n))") }
            got += n
        }
        return buffer
    }
}
