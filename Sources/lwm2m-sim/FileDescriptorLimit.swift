import Foundation
import Logging

/// Raises the open-file limit: every simulated endpoint has a socket of its own.
enum FileDescriptorLimit {
    static func raise(toAtLeast wanted: Int, logger: Logger) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        guard limit.rlim_cur < rlim_t(wanted) else { return }
        limit.rlim_cur = min(limit.rlim_max, rlim_t(wanted))
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) != 0 || limit.rlim_cur < rlim_t(wanted) {
            logger.warning("cannot raise the open-file limit enough", metadata: [
                "wanted": "\(wanted)", "limit": "\(limit.rlim_cur)",
            ])
        }
    }
}
