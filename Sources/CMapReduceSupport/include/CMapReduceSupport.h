#ifndef SWIFT_MAPREDUCE_SUPPORT_H
#define SWIFT_MAPREDUCE_SUPPORT_H

/// Asks the CPU to start loading the cache line at `address` for writing; returns at once. Used to overlap the
/// combining table's random memory accesses (Swift has no prefetch intrinsic).
static inline void mr_prefetch(const void *address) { __builtin_prefetch(address, 1, 3); }

/// The offset of the first zero byte in `bytes[0..<count]`, or `count` if there is none: the terminator scan of
/// byte-string keys and values, done by the C library's vectorized `memchr` (`count` may be 0).
static inline long mr_find_zero(const void *bytes, long count) {
    if (count <= 0) return count;
    const char *found = __builtin_memchr(bytes, 0, (unsigned long)count);
    return found ? found - (const char *)bytes : count;
}

/// `value`, unchanged, but opaque to the optimizer: a mask built from a comparison and passed through here cannot
/// be turned back into a branch on that comparison (used where the comparison's outcome is as good as random, so a
/// branch on it mispredicts every other time). Swift has no other way to keep a select branchless.
static inline long mr_opaque(long value) {
    __asm__("" : "+r"(value));
    return value;
}

#endif
