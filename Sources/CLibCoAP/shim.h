#ifndef LWM2M_CLIBCOAP_SHIM_H
#define LWM2M_CLIBCOAP_SHIM_H

#include <coap3/coap.h>
#include <sys/eventfd.h>
#include <poll.h>
#include <stdint.h>
#include <sys/prctl.h>

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

#endif
