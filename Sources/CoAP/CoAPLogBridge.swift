import CLibCoAP
import Logging
import Synchronization

/// Routes libcoap's log output into swift-log (libcoap's logger is process-global, so is this bridge).
enum CoAPLogBridge {
    private static let logger = Mutex<Logger?>(nil)

    /// Installs the bridge and sets libcoap's own level from `level`.
    static func install(logger newLogger: Logger, level: Logger.Level) {
        var target = newLogger
        target[metadataKey: "component"] = "libcoap"
        target.logLevel = .trace  // filtering happens in libcoap through coap_set_log_level
        logger.withLock { $0 = target }
        coap_set_log_handler(coapLogCallback)
        coap_set_log_level(coapLevel(for: level))
    }

    /// Maps a swift-log level to libcoap's syslog-style level; libcoap's DEBUG logs every packet, so it needs `.trace`.
    static func coapLevel(for level: Logger.Level) -> coap_log_t {
        switch level {
        case .trace: return 7  // LOG_DEBUG
        case .debug: return 6  // LOG_INFO
        case .info, .notice: return 5  // LOG_NOTICE
        case .warning: return 4  // LOG_WARNING
        case .error: return 3  // LOG_ERR
        case .critical: return 2  // LOG_CRIT
        }
    }

    static func log(level: coap_log_t, message: String) {
        var swiftLevel: Logger.Level
        switch level {
        case ...2: swiftLevel = .critical
        case 3: swiftLevel = .error
        case 4: swiftLevel = .warning
        case 5: swiftLevel = .notice
        case 6: swiftLevel = .info
        default: swiftLevel = .debug
        }
        let text = message.hasSuffix("\n") ? String(message.dropLast()) : message
        // libcoap 4.3.1 logs every received Reset at ALERT; a Reset is routine (RFC 7641 §3.6), not an outage.
        if text.hasPrefix("got RST") { swiftLevel = .debug }
        logger.withLock { $0 }?.log(level: swiftLevel, "\(text)")
    }
}

let coapLogCallback: coap_log_handler_t = { level, message in
    guard let message else { return }
    CoAPLogBridge.log(level: level, message: String(cString: message))
}
