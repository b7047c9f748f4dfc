#ifndef SWIFT_MAPREDUCE_SUPPORT_H
#define SWIFT_MAPREDUCE_SUPPORT_H

/// Asks the CPU to start loading the cache line at `address` for writing; returns at once. Used to overlap the
/// combining table's random memory accesses (Swift has no prefetch intrinsic).
static inline void mr_prefetch(const void *address) { __builtin_prefetch(address, 1, 3); }

#endif
