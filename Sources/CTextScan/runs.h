#ifndef INBOXD_CTEXTSCAN_RUNS_H
#define INBOXD_CTEXTSCAN_RUNS_H
// Sixteen bytes at a time over the byte runs the core's scanners (and the store's JSON writer) look for most: a byte's
// verdict depends only on it and its neighbours, so a whole block is judged with a few compares.
// Each function returns where the byte-at-a-time table walk (the Swift code that owns the rules)
// must go on: the first byte the rule refuses, or where fewer than a block's bytes remain. Where
// SSE2 is missing nothing is skipped and the table walk does everything.
//
// A change to this header alone does not make SwiftPM rebuild the Swift files that use it: touch
// Sources/InboxCore/UTF8Scan.swift, LineScanner.swift, LineClassifier.swift and
// Sources/InboxStore/JSONLine.swift too (a clean build always sees it).
//
// First, three plain byte helpers for the core: the last and the first offset of a byte, and
// how many times it occurs.
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// Offset of the last `byte` in p[0, n), or -1: sixteen bytes at a time from the end, which
/// Swift's generic `lastIndex(of:)` on a slice is not (a caption check scans the last 120 bytes
/// of every line). Not memrchr: a GNU extension this header would have to define _GNU_SOURCE for.
static inline long inboxd_last_byte(const uint8_t *p, size_t n, uint8_t byte) {
#if defined(__SSE2__)
    __m128i wanted = _mm_set1_epi8((char)byte);
    while (n >= 16) {
        unsigned hits = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + n - 16)), wanted));
        if (hits) return (long)(n - 16) + 31 - __builtin_clz(hits);
        n -= 16;
    }
#endif
    while (n > 0) {
        n -= 1;
        if (p[n] == byte) return (long)n;
    }
    return -1;
}

/// How many bytes of p[0, n) are `byte` (the word count's spaces): sixteen at a time, each lane
/// counting up to 255 blocks before the lanes are summed. Not a population count per block: the
/// binary is built for any x86-64, where that instruction is emulated in a dozen.
static inline size_t inboxd_count_byte(const uint8_t *p, size_t n, uint8_t byte) {
    size_t count = 0, i = 0;
#if defined(__SSE2__)
    __m128i wanted = _mm_set1_epi8((char)byte);
    while (i + 16 <= n) {
        size_t stop = n - i > 16 * 255 ? i + 16 * 255 : n;
        __m128i lanes = _mm_setzero_si128();
        for (; i + 16 <= stop; i += 16) {
            lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i)), wanted));
        }
        __m128i sums = _mm_sad_epu8(lanes, _mm_setzero_si128());
        count += (size_t)_mm_cvtsi128_si32(sums) + (size_t)_mm_extract_epi16(sums, 4);
    }
#endif
    for (; i < n; i++) count += p[i] == byte;
    return count;
}

/// Offset of the first `byte` in p[0, n), or -1 (memchr).
static inline long inboxd_first_byte(const uint8_t *p, size_t n, uint8_t byte) {
    if (n == 0) return -1;
    const void *hit = memchr(p, byte, n);
    return hit ? (long)((const uint8_t *)hit - p) : -1;
}

#if defined(__SSE2__)

/// Lanes of `v` in [lo, hi] (unsigned) set to 0xFF.
static inline __m128i inboxd_runs_in_range(__m128i v, uint8_t lo, uint8_t hi) {
    __m128i shifted = _mm_sub_epi8(v, _mm_set1_epi8((char)lo));
    return _mm_cmpeq_epi8(_mm_subs_epu8(shifted, _mm_set1_epi8((char)(hi - lo))), _mm_setzero_si128());
}

static inline __m128i inboxd_runs_equal(__m128i v, uint8_t b) {
    return _mm_cmpeq_epi8(v, _mm_set1_epi8((char)b));
}

/// The UTF-8 scan's clean run (`UTF8Scan.cleanRunEnd`): printable ASCII, tab, LF, FF, CR, the
/// two-byte letters C2–CB xx and precomposed Vietnamese E1 B8–BB xx. A byte's verdict depends
/// on it and the two bytes before it, exactly as in `CleanBytes.table`. `i` must be at least 2.
/// `*leads` gets the number of multi-byte letters whose lead byte lies in [i, result).
static inline size_t inboxd_clean_run_skip16(const uint8_t *p, size_t n, size_t i, size_t *leads) {
    size_t count = 0;
    while (i + 16 <= n) {
        __m128i c = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i a = _mm_loadu_si128((const __m128i *)(p + i - 1));
        __m128i z = _mm_loadu_si128((const __m128i *)(p + i - 2));
        __m128i e1a = inboxd_runs_equal(a, 0xE1);
        __m128i e1z = inboxd_runs_equal(z, 0xE1);
        __m128i lead2a = inboxd_runs_in_range(a, 0xC2, 0xCB);
        // What the byte must be: a character start, any continuation, or B8–BB right after E1.
        __m128i needB8 = e1a;
        __m128i needContinuation = _mm_andnot_si128(e1a, _mm_or_si128(lead2a, e1z));
        __m128i atStart = _mm_andnot_si128(_mm_or_si128(_mm_or_si128(lead2a, e1a), e1z), _mm_set1_epi8((char)0xFF));
        __m128i lead = _mm_or_si128(inboxd_runs_in_range(c, 0xC2, 0xCB), inboxd_runs_equal(c, 0xE1));
        __m128i lineSpace = _mm_andnot_si128(inboxd_runs_equal(c, 0x0B), inboxd_runs_in_range(c, 0x09, 0x0D));
        __m128i ascii = _mm_or_si128(inboxd_runs_in_range(c, 0x20, 0x7E), lineSpace);
        __m128i ok = _mm_or_si128(
            _mm_and_si128(atStart, _mm_or_si128(ascii, lead)),
            _mm_or_si128(
                _mm_and_si128(needContinuation, inboxd_runs_in_range(c, 0x80, 0xBF)),
                _mm_and_si128(needB8, inboxd_runs_in_range(c, 0xB8, 0xBB))));
        unsigned accepted = (unsigned)_mm_movemask_epi8(ok);
        unsigned started = (unsigned)_mm_movemask_epi8(_mm_and_si128(atStart, lead));
        if (accepted != 0xFFFFu) {
            unsigned k = (unsigned)__builtin_ctz(~accepted);
            count += (size_t)__builtin_popcount(started & ((1u << k) - 1u));
            i += k;
            break;
        }
        count += (size_t)__builtin_popcount(started);
        i += 16;
    }
    *leads = count;
    return i;
}

/// The line scanner's plain run (`ScanState.plainRunEnd`), from its second byte on: byte j ends
/// it when it is a control or a lead the scalar path decides, a space after a space, any lead
/// after an ASCII o or u, C3 before 90 or B0, or E1 before 9A (as in `PlainBytes.table`).
/// `j` must be at least 1; the byte after each judged byte is read, so blocks stop one byte short.
static inline size_t inboxd_plain_run_skip16(const uint8_t *p, size_t n, size_t j) {
    while (j + 17 <= n) {
        __m128i c = _mm_loadu_si128((const __m128i *)(p + j));
        __m128i a = _mm_loadu_si128((const __m128i *)(p + j - 1));
        __m128i d = _mm_loadu_si128((const __m128i *)(p + j + 1));
        __m128i control = _mm_or_si128(inboxd_runs_in_range(c, 0x00, 0x1F), inboxd_runs_equal(c, 0x7F));
        __m128i special = _mm_or_si128(
            _mm_or_si128(inboxd_runs_in_range(c, 0xC0, 0xC2), inboxd_runs_equal(c, 0xE0)),
            _mm_or_si128(
                _mm_or_si128(inboxd_runs_in_range(c, 0xE2, 0xE3), inboxd_runs_equal(c, 0xEF)),
                inboxd_runs_in_range(c, 0xF5, 0xFF)));
        __m128i doubleSpace = _mm_and_si128(inboxd_runs_equal(c, 0x20), inboxd_runs_equal(a, 0x20));
        __m128i folded = _mm_or_si128(a, _mm_set1_epi8(0x20));
        __m128i afterOU = _mm_or_si128(inboxd_runs_equal(folded, 0x6F), inboxd_runs_equal(folded, 0x75));
        __m128i leadAfterOU = _mm_and_si128(inboxd_runs_in_range(c, 0xC0, 0xFF), afterOU);
        __m128i eth = _mm_and_si128(
            inboxd_runs_equal(c, 0xC3), _mm_or_si128(inboxd_runs_equal(d, 0x90), inboxd_runs_equal(d, 0xB0)));
        __m128i ogham = _mm_and_si128(inboxd_runs_equal(c, 0xE1), inboxd_runs_equal(d, 0x9A));
        __m128i stop = _mm_or_si128(
            _mm_or_si128(_mm_or_si128(control, special), _mm_or_si128(doubleSpace, leadAfterOU)),
            _mm_or_si128(eth, ogham));
        unsigned stops = (unsigned)_mm_movemask_epi8(stop);
        if (stops != 0) return j + (size_t)__builtin_ctz(stops);
        j += 16;
    }
    return j;
}

/// A run of bytes a JSON string literal takes as they are: none below 0x20, no quote, no
/// backslash (`JSONLine.string`). Returns the start of the first block holding another byte, or
/// where fewer than 16 bytes remain.
static inline size_t inboxd_json_plain_skip16(const uint8_t *p, size_t n, size_t i) {
    while (i + 16 <= n) {
        __m128i c = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i escape = _mm_or_si128(
            inboxd_runs_in_range(c, 0x00, 0x1F),
            _mm_or_si128(inboxd_runs_equal(c, 0x22), inboxd_runs_equal(c, 0x5C)));
        if (_mm_movemask_epi8(escape) != 0) return i;
        i += 16;
    }
    return i;
}

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#define INBOXD_RUNS_AVX2 1

// The same rules thirty-two bytes at a time where the CPU has AVX2 and POPCNT (checked once, at
// run time: the binary itself is built for any x86-64). Each function stops exactly where its
// sixteen-byte version would, which then goes on from there: tests compare both with the table
// walks.

static inline int inboxd_runs_detect_avx2(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    if (!(c & bit_OSXSAVE) || !(c & bit_AVX) || !(c & bit_POPCNT)) return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    (void)hi;
    if ((lo & 6) != 6) return 0;  // the OS saves the XMM and YMM registers
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b & bit_AVX2) != 0;
}

/// Whether the thirty-two-byte versions are used (asked once per module that includes this).
static inline int inboxd_runs_avx2(void) {
    static int state = -1;
    int s = __atomic_load_n(&state, __ATOMIC_RELAXED);
    if (s < 0) {
        s = inboxd_runs_detect_avx2();
        __atomic_store_n(&state, s, __ATOMIC_RELAXED);
    }
    return s;
}

__attribute__((target("avx2"))) static inline __m256i inboxd_runs_in_range32(__m256i v, uint8_t lo, uint8_t hi) {
    __m256i shifted = _mm256_sub_epi8(v, _mm256_set1_epi8((char)lo));
    return _mm256_cmpeq_epi8(_mm256_subs_epu8(shifted, _mm256_set1_epi8((char)(hi - lo))), _mm256_setzero_si256());
}

__attribute__((target("avx2"))) static inline __m256i inboxd_runs_equal32(__m256i v, uint8_t b) {
    return _mm256_cmpeq_epi8(v, _mm256_set1_epi8((char)b));
}

/// ``inboxd_clean_run_skip16`` on 32-byte blocks (and the population count in one instruction).
__attribute__((target("avx2,popcnt"))) static inline size_t inboxd_clean_run_skip32(const uint8_t *p, size_t n, size_t i, size_t *leads) {
    size_t count = 0;
    while (i + 32 <= n) {
        __m256i c = _mm256_loadu_si256((const __m256i *)(p + i));
        __m256i a = _mm256_loadu_si256((const __m256i *)(p + i - 1));
        __m256i z = _mm256_loadu_si256((const __m256i *)(p + i - 2));
        __m256i e1a = inboxd_runs_equal32(a, 0xE1);
        __m256i e1z = inboxd_runs_equal32(z, 0xE1);
        __m256i lead2a = inboxd_runs_in_range32(a, 0xC2, 0xCB);
        __m256i needB8 = e1a;
        __m256i needContinuation = _mm256_andnot_si256(e1a, _mm256_or_si256(lead2a, e1z));
        __m256i atStart = _mm256_andnot_si256(_mm256_or_si256(_mm256_or_si256(lead2a, e1a), e1z), _mm256_set1_epi8((char)0xFF));
        __m256i lead = _mm256_or_si256(inboxd_runs_in_range32(c, 0xC2, 0xCB), inboxd_runs_equal32(c, 0xE1));
        __m256i lineSpace = _mm256_andnot_si256(inboxd_runs_equal32(c, 0x0B), inboxd_runs_in_range32(c, 0x09, 0x0D));
        __m256i ascii = _mm256_or_si256(inboxd_runs_in_range32(c, 0x20, 0x7E), lineSpace);
        __m256i ok = _mm256_or_si256(
            _mm256_and_si256(atStart, _mm256_or_si256(ascii, lead)),
            _mm256_or_si256(
                _mm256_and_si256(needContinuation, inboxd_runs_in_range32(c, 0x80, 0xBF)),
                _mm256_and_si256(needB8, inboxd_runs_in_range32(c, 0xB8, 0xBB))));
        unsigned accepted = (unsigned)_mm256_movemask_epi8(ok);
        unsigned started = (unsigned)_mm256_movemask_epi8(_mm256_and_si256(atStart, lead));
        if (accepted != 0xFFFFFFFFu) {
            unsigned k = (unsigned)__builtin_ctz(~accepted);
            count += (size_t)__builtin_popcount(started & ((1u << k) - 1u));
            i += k;
            break;
        }
        count += (size_t)__builtin_popcount(started);
        i += 32;
    }
    *leads = count;
    return i;
}

/// ``inboxd_plain_run_skip16`` on 32-byte blocks.
__attribute__((target("avx2"))) static inline size_t inboxd_plain_run_skip32(const uint8_t *p, size_t n, size_t j) {
    while (j + 33 <= n) {
        __m256i c = _mm256_loadu_si256((const __m256i *)(p + j));
        __m256i a = _mm256_loadu_si256((const __m256i *)(p + j - 1));
        __m256i d = _mm256_loadu_si256((const __m256i *)(p + j + 1));
        __m256i control = _mm256_or_si256(inboxd_runs_in_range32(c, 0x00, 0x1F), inboxd_runs_equal32(c, 0x7F));
        __m256i special = _mm256_or_si256(
            _mm256_or_si256(inboxd_runs_in_range32(c, 0xC0, 0xC2), inboxd_runs_equal32(c, 0xE0)),
            _mm256_or_si256(
                _mm256_or_si256(inboxd_runs_in_range32(c, 0xE2, 0xE3), inboxd_runs_equal32(c, 0xEF)),
                inboxd_runs_in_range32(c, 0xF5, 0xFF)));
        __m256i doubleSpace = _mm256_and_si256(inboxd_runs_equal32(c, 0x20), inboxd_runs_equal32(a, 0x20));
        __m256i folded = _mm256_or_si256(a, _mm256_set1_epi8(0x20));
        __m256i afterOU = _mm256_or_si256(inboxd_runs_equal32(folded, 0x6F), inboxd_runs_equal32(folded, 0x75));
        __m256i leadAfterOU = _mm256_and_si256(inboxd_runs_in_range32(c, 0xC0, 0xFF), afterOU);
        __m256i eth = _mm256_and_si256(
            inboxd_runs_equal32(c, 0xC3), _mm256_or_si256(inboxd_runs_equal32(d, 0x90), inboxd_runs_equal32(d, 0xB0)));
        __m256i ogham = _mm256_and_si256(inboxd_runs_equal32(c, 0xE1), inboxd_runs_equal32(d, 0x9A));
        __m256i stop = _mm256_or_si256(
            _mm256_or_si256(_mm256_or_si256(control, special), _mm256_or_si256(doubleSpace, leadAfterOU)),
            _mm256_or_si256(eth, ogham));
        unsigned stops = (unsigned)_mm256_movemask_epi8(stop);
        if (stops != 0) return j + (size_t)__builtin_ctz(stops);
        j += 32;
    }
    return j;
}

/// ``inboxd_json_plain_skip16`` on 32-byte blocks.
__attribute__((target("avx2"))) static inline size_t inboxd_json_plain_skip32(const uint8_t *p, size_t n, size_t i) {
    while (i + 32 <= n) {
        __m256i c = _mm256_loadu_si256((const __m256i *)(p + i));
        __m256i escape = _mm256_or_si256(
            inboxd_runs_in_range32(c, 0x00, 0x1F),
            _mm256_or_si256(inboxd_runs_equal32(c, 0x22), inboxd_runs_equal32(c, 0x5C)));
        if (_mm256_movemask_epi8(escape) != 0) return i;
        i += 32;
    }
    return i;
}
#endif

#else

// No SSE2: nothing is skipped and the table walks do everything.
static inline size_t inboxd_clean_run_skip16(const uint8_t *p, size_t n, size_t i, size_t *leads) {
    (void)p;
    (void)n;
    *leads = 0;
    return i;
}

static inline size_t inboxd_plain_run_skip16(const uint8_t *p, size_t n, size_t j) {
    (void)p;
    (void)n;
    return j;
}

static inline size_t inboxd_json_plain_skip16(const uint8_t *p, size_t n, size_t i) {
    (void)p;
    (void)n;
    return i;
}

#endif

/// The clean run: thirty-two bytes at a time where AVX2 is there, then sixteen.
static inline size_t inboxd_clean_run_skip(const uint8_t *p, size_t n, size_t i, size_t *leads) {
    size_t wide = 0;
#if defined(INBOXD_RUNS_AVX2)
    if (inboxd_runs_avx2()) i = inboxd_clean_run_skip32(p, n, i, &wide);
#endif
    size_t narrow = 0;
    i = inboxd_clean_run_skip16(p, n, i, &narrow);
    *leads = wide + narrow;
    return i;
}

/// The plain run: thirty-two bytes at a time where AVX2 is there, then sixteen.
static inline size_t inboxd_plain_run_skip(const uint8_t *p, size_t n, size_t j) {
#if defined(INBOXD_RUNS_AVX2)
    if (inboxd_runs_avx2()) j = inboxd_plain_run_skip32(p, n, j);
#endif
    return inboxd_plain_run_skip16(p, n, j);
}

/// The JSON run: thirty-two bytes at a time where AVX2 is there, then sixteen.
static inline size_t inboxd_json_plain_skip(const uint8_t *p, size_t n, size_t i) {
#if defined(INBOXD_RUNS_AVX2)
    if (inboxd_runs_avx2()) i = inboxd_json_plain_skip32(p, n, i);
#endif
    return inboxd_json_plain_skip16(p, n, i);
}

#endif
