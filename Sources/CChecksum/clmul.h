#ifndef INBOXD_CCHECKSUM_CLMUL_H
#define INBOXD_CCHECKSUM_CLMUL_H
// CRC-32 (IEEE, reflected) folded 64 bytes at a time with carry-less multiplication: the method
// of Intel's "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ" (Gopal et al., 2009).
// The fold and reduction constants are x^k mod P(x) for the IEEE polynomial, bit-reflected, as
// published in that paper and used by zlib, Linux and Chromium.
#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

/// 1 when the CPU can run `inboxd_crc32_fold` (PCLMULQDQ and SSE4.1).
static inline int inboxd_crc32_fold_available(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    return (ecx & (1u << 1)) != 0 && (ecx & (1u << 19)) != 0;
}

/// Advances the CRC register `crc` (not inverted: the caller starts from 0xFFFFFFFF and inverts
/// at the end, as with a table) over `length` bytes. `length` must be at least 64 and a multiple
/// of 16; check `inboxd_crc32_fold_available` first.
__attribute__((target("pclmul,sse4.1")))
static inline uint32_t inboxd_crc32_fold(uint32_t crc, const uint8_t *p, size_t length) {
    // x^(4*128+32), x^(4*128-32): fold four lanes forward by 64 bytes.
    const __m128i by4 = _mm_set_epi64x(0x01c6e41596, 0x0154442bd4);
    // x^(128+32), x^(128-32): fold one lane forward by 16 bytes.
    const __m128i by1 = _mm_set_epi64x(0x00ccaa009e, 0x01751997d0);
    // x^64 mod P: 128 bits to 64.
    const __m128i to64 = _mm_set_epi64x(0, 0x0163cd6124);
    // P(x) and floor(x^64 / P(x)), for the Barrett reduction to 32 bits.
    const __m128i barrett = _mm_set_epi64x(0x01f7011641, 0x01db710641);
    const __m128i low32 = _mm_setr_epi32(~0, 0, ~0, 0);

    __m128i a = _mm_loadu_si128((const __m128i *)(p + 0));
    __m128i b = _mm_loadu_si128((const __m128i *)(p + 16));
    __m128i c = _mm_loadu_si128((const __m128i *)(p + 32));
    __m128i d = _mm_loadu_si128((const __m128i *)(p + 48));
    a = _mm_xor_si128(a, _mm_cvtsi32_si128((int)crc));
    p += 64;
    length -= 64;

    while (length >= 64) {
        __m128i a0 = _mm_clmulepi64_si128(a, by4, 0x00), a1 = _mm_clmulepi64_si128(a, by4, 0x11);
        __m128i b0 = _mm_clmulepi64_si128(b, by4, 0x00), b1 = _mm_clmulepi64_si128(b, by4, 0x11);
        __m128i c0 = _mm_clmulepi64_si128(c, by4, 0x00), c1 = _mm_clmulepi64_si128(c, by4, 0x11);
        __m128i d0 = _mm_clmulepi64_si128(d, by4, 0x00), d1 = _mm_clmulepi64_si128(d, by4, 0x11);
        a = _mm_xor_si128(_mm_xor_si128(a0, a1), _mm_loadu_si128((const __m128i *)(p + 0)));
        b = _mm_xor_si128(_mm_xor_si128(b0, b1), _mm_loadu_si128((const __m128i *)(p + 16)));
        c = _mm_xor_si128(_mm_xor_si128(c0, c1), _mm_loadu_si128((const __m128i *)(p + 32)));
        d = _mm_xor_si128(_mm_xor_si128(d0, d1), _mm_loadu_si128((const __m128i *)(p + 48)));
        p += 64;
        length -= 64;
    }

    // Four lanes into one, then the remaining 16-byte blocks into it.
    __m128i x = a;
    const __m128i lanes[3] = {b, c, d};
    for (int k = 0; k < 3; k++) {
        __m128i lo = _mm_clmulepi64_si128(x, by1, 0x00), hi = _mm_clmulepi64_si128(x, by1, 0x11);
        x = _mm_xor_si128(_mm_xor_si128(lo, hi), lanes[k]);
    }
    while (length >= 16) {
        __m128i lo = _mm_clmulepi64_si128(x, by1, 0x00), hi = _mm_clmulepi64_si128(x, by1, 0x11);
        x = _mm_xor_si128(_mm_xor_si128(lo, hi), _mm_loadu_si128((const __m128i *)p));
        p += 16;
        length -= 16;
    }

    // 128 bits to 64.
    __m128i t = _mm_clmulepi64_si128(x, by1, 0x10);
    x = _mm_xor_si128(_mm_srli_si128(x, 8), t);
    t = _mm_srli_si128(x, 4);
    x = _mm_xor_si128(_mm_clmulepi64_si128(_mm_and_si128(x, low32), to64, 0x00), t);

    // Barrett reduction to 32 bits.
    t = _mm_clmulepi64_si128(_mm_and_si128(x, low32), barrett, 0x10);
    t = _mm_clmulepi64_si128(_mm_and_si128(t, low32), barrett, 0x00);
    x = _mm_xor_si128(x, t);
    return (uint32_t)_mm_extract_epi32(x, 1);
}
#else
static inline int inboxd_crc32_fold_available(void) { return 0; }
static inline uint32_t inboxd_crc32_fold(uint32_t crc, const uint8_t *p, size_t length) {
    (void)p; (void)length; return crc;
}
#endif
#endif
