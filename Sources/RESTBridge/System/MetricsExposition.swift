import Foundation

/// What `/metrics` adds to the registry's text: a `# HELP` line before every `# TYPE` line (swift-metrics has no
/// help texts; they live here, one per metric name), and the process metrics Prometheus' client libraries export
/// (`process_resident_memory_bytes`, `process_virtual_memory_bytes`, `process_cpu_seconds_total`,
/// `process_open_fds`, `process_max_fds`, `process_start_time_seconds`), read from `/proc/self` at each scrape.
enum MetricsExposition {
    /// The help text of each metric the server records.
    static let help: [String: String] = [
        "hb_requests_total": "HTTP requests answered, by method, route and status.",
        "hb_request_duration_seconds": "HTTP request handling time in seconds, by method and route.",
        "hb_request_errors_total": "HTTP requests answered with a server error (5xx), by method, route and status.",
        "lwm2m_block_write_bytes_total": "Bytes written to devices in Block1 writes (firmware pushes).",
        "lwm2m_device_request_duration_seconds": "Time devices took to answer device-management requests, in seconds.",
        "lwm2m_device_requests_total": "Device-management requests sent to devices, by operation and outcome.",
        "lwm2m_events_created_total": "Events created by event rules.",
        "lwm2m_firmware_bytes_served_total": "Firmware image bytes served to devices, by transport.",
        "lwm2m_firmware_download_requests_total": "Firmware download requests, by transport.",
        "lwm2m_firmware_update_transitions_total": "Firmware update state changes, by state.",
        "lwm2m_firmware_updates_active": "Firmware updates not finished yet.",
        "lwm2m_firmware_updates_finished_total": "Firmware updates finished, by outcome.",
        "lwm2m_firmware_updates_started_total": "Firmware updates started.",
        "lwm2m_ingest_batches_total": "Batches of reports written to the store.",
        "lwm2m_limit_refusals_total": "Requests refused for a limit of the server, by limit.",
        "lwm2m_notifications_refused_total": "Notifications refused (unknown token, wrong sender), by reason.",
        "lwm2m_observations_renewed_total": "Observations re-established after they went stale.",
        "lwm2m_observations_stale_total": "Observations marked stale, by reason.",
        "lwm2m_operation_transitions_total": "Queued operation state changes, by status.",
        "lwm2m_operations_in_flight": "Queued operations being sent to devices now.",
        "lwm2m_registration_events_total": "Registration events (register, update, deregister, expire), by event.",
        "lwm2m_registrations": "Registered endpoints now.",
        "lwm2m_reports_total": "Notifications and Sends received, by kind.",
        "lwm2m_udp_receive_buffer_bytes": "Effective receive buffer of each listening UDP socket, in bytes.",
        "lwm2m_udp_receive_drops_total": "Datagrams the kernel dropped on each listening socket (buffer full).",
        "lwm2m_values_stored_total": "Resource values written to the store.",
    ]

    /// `text` with a `# HELP` line before each `# TYPE` line that has none, and the process metrics appended.
    static func render(_ text: String) -> String {
        var lines: [Substring] = []
        var previous: Substring = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# TYPE "), !previous.hasPrefix("# HELP ") {
                let name = line.dropFirst("# TYPE ".count).prefix { $0 != " " }
                lines.append("# HELP \(name) \(help[String(name)] ?? "A metric of the lwm2m-server.")")
            }
            lines.append(line)
            previous = line
        }
        var result = lines.joined(separator: "\n")
        if !result.isEmpty, !result.hasSuffix("\n") { result += "\n" }
        return result + processMetrics()
    }

    /// The process metrics in the text format, or nothing where `/proc` cannot be read.
    static func processMetrics() -> String {
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ value: Double) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n"
        }
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")") {
            // Fields after the command name (which may hold spaces): state is field 3.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            func field(_ number: Int) -> Double? { fields.count > number - 3 ? Double(fields[number - 3]) : nil }
            if let user = field(14), let system = field(15), ticks > 0 {
                metric("process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.", (user + system) / ticks)
            }
            if let virtual = field(23) {
                metric("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", virtual)
            }
            if let resident = field(24) {
                metric("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", resident * pageSize)
            }
            if let startTicks = field(22), ticks > 0, let uptime = try? String(contentsOfFile: "/proc/uptime", encoding: .utf8),
               let seconds = Double(uptime.split(separator: " ").first ?? "") {
                let boot = Date().timeIntervalSince1970 - seconds
                metric("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch, in seconds.",
                       (boot + startTicks / ticks).rounded())
            }
        }
        if let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            metric("process_open_fds", "gauge", "Open file descriptors.", Double(descriptors.count))
        }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
            metric("process_max_fds", "gauge", "The most open file descriptors allowed.", Double(limit.rlim_cur))
        }
        return out
    }
}
