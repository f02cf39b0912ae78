#ifndef LWM2M_CLIBCOAP_SHIM_H
#define LWM2M_CLIBCOAP_SHIM_H

#include <coap3/coap.h>
#include <sys/eventfd.h>
#include <poll.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/epoll.h>

/// Response/request code as a single byte (class << 5 | detail); COAP_RESPONSE_CODE() is a macro Swift cannot import.
static inline coap_pdu_code_t lwm2m_coap_code(uint8_t cls, uint8_t detail) {
    return (coap_pdu_code_t)(((cls & 0x07) << 5) | (detail & 0x1f));
}

/// Ticks per second (COAP_TICKS_PER_SECOND imports as a plain Int32).
static inline coap_tick_t lwm2m_coap_ticks_per_second(void) {
    return (coap_tick_t)COAP_TICKS_PER_SECOND;
}

/// Names the calling thread (visible in top -H, gdb, perf); prctl is variadic, which Swift cannot call.
static inline void lwm2m_set_thread_name(const char *name) {
    prctl(PR_SET_NAME, name, 0, 0, 0);
}

/// Reads and handles what waits on libcoap's sockets without walking its sessions: `epoll_wait` without waiting on
/// libcoap's epoll fd (`coap_context_get_coap_fd`), then `coap_io_do_epoll` — the two I/O steps of
/// `coap_io_process` without `coap_io_prepare_epoll`, which walks every session for timeouts (the cost that
/// dominates when one call per datagram is made). Timers are left to the next `coap_io_process`.
/// Returns the number of ready events handled (0: nothing waited; -1: `epoll_wait` failed).
static inline int lwm2m_coap_read_ready(coap_context_t *ctx, int epfd) {
    struct epoll_event events[32];
    int count = epoll_wait(epfd, events, 32, 0);
    if (count > 0) coap_io_do_epoll(ctx, events, (size_t)count);
    return count;
}

#endif
