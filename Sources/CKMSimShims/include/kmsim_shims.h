/* Tiny inline helpers Swift cannot express: the x86 time-stamp counter and a cache prefetch. */
#ifndef KMSIM_SHIMS_H
#define KMSIM_SHIMS_H

#include <stdint.h>
#include <time.h>

/* The time-stamp counter (RDTSC, about 7 ns here against 28 ns for the vDSO clock_gettime); elsewhere
 * CLOCK_MONOTONIC in nanoseconds. Callers check that the TSC is invariant before trusting it. */
static inline uint64_t kmsim_rdtsc(void) {
#if defined(__x86_64__)
    return __builtin_ia32_rdtsc();
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
#endif
}

/* 1 when kmsim_rdtsc() reads the hardware counter, 0 when it falls back to CLOCK_MONOTONIC. */
static inline int kmsim_rdtsc_is_hardware(void) {
#if defined(__x86_64__)
    return 1;
#else
    return 0;
#endif
}

/* cpu_relax(): the x86 PAUSE instruction a spinning waiter executes between looks, which tells the core
 * it is in a spin-wait loop (saves power, avoids the memory-order flush on exit); nothing elsewhere. */
static inline void kmsim_cpu_relax(void) {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#endif
}

/* Starts loading the cache line at `address` without waiting for it (__builtin_prefetch, as the kernel's
 * prefetch()), so a load made later does not stall. */
static inline void kmsim_prefetch(const void *address) {
    __builtin_prefetch(address);
}

#endif
