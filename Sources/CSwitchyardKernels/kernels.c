// SPDX-License-Identifier: GPL-3.0-or-later
#include "switchyard_kernels.h"

#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

// No fused multiply-adds: every platform and instruction set must round the same way.
#pragma STDC FP_CONTRACT OFF

// e^x = 2^n (1 + (r + r^2 q(r))), x = n ln2 + r, |r| <= ln2/2 (Cody-Waite with
// fdlibm's split of ln2), q(r) = 1/2! + r/3! + ... + r^11/13! by Estrin's scheme.
// See BlockExp.swift for the error analysis.
static inline double exp_kernel(double x) {
    const double ln2High = 6.93147180369123816490e-01;
    const double ln2Low = 1.90821492927058770002e-10;
    const double log2e = 1.44269504088896338700e+00;
    const double shifter = 6755399441055744.0;  // 1.5 * 2^52
    double k = x * log2e + shifter;
    double n = k - shifter;
    double r = (x - n * ln2High) - n * ln2Low;
    uint64_t kBits, shifterBits;
    memcpy(&kBits, &k, sizeof kBits);
    memcpy(&shifterBits, &shifter, sizeof shifterBits);
    uint64_t scaleBits = ((kBits - shifterBits) + 1023) << 52;
    double scale;
    memcpy(&scale, &scaleBits, sizeof scale);
    double r2 = r * r;
    double r4 = r2 * r2;
    double r8 = r4 * r4;
    double p01 = 1.0 / 2 + r * (1.0 / 6);
    double p23 = 1.0 / 24 + r * (1.0 / 120);
    double p45 = 1.0 / 720 + r * (1.0 / 5040);
    double p67 = 1.0 / 40320 + r * (1.0 / 362880);
    double p89 = 1.0 / 3628800 + r * (1.0 / 39916800);
    double p1011 = 1.0 / 479001600 + r * (1.0 / 6227020800.0);
    double p03 = p01 + r2 * p23;
    double p47 = p45 + r2 * p67;
    double p811 = p89 + r2 * p1011;
    double q = (p03 + r4 * p47) + r8 * p811;
    return scale * (1 + (r + r2 * q));
}

// Counts the arguments outside [-limit, limit] (NaN included), then, if there are
// none, exponentiates the block. Both loops vectorise.
#define EXP_BLOCK_BODY                                                              \
    size_t outside = 0;                                                             \
    for (size_t j = 0; j < count; j++) outside += !(fabs(values[j]) <= limit);      \
    if (outside != 0) return 0;                                                     \
    for (size_t j = 0; j < count; j++) values[j] = exp_kernel(values[j]);           \
    return 1;

static int exp_block_generic(double *values, size_t count, double limit) { EXP_BLOCK_BODY }

int switchyard_exp_block_baseline(double *values, size_t count, double limit) {
    return exp_block_generic(values, count, limit);
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
__attribute__((target("avx2"))) static int exp_block_avx2(double *values, size_t count, double limit) {
    EXP_BLOCK_BODY
}

int switchyard_exp_block_uses_avx2(void) {
    // -1 until the first call; threads racing on it all store the same answer.
    static _Atomic int answer = -1;
    int known = atomic_load_explicit(&answer, memory_order_relaxed);
    if (known < 0) {
        __builtin_cpu_init();
        known = __builtin_cpu_supports("avx2") ? 1 : 0;
        atomic_store_explicit(&answer, known, memory_order_relaxed);
    }
    return known;
}

int switchyard_exp_block(double *values, size_t count, double limit) {
    return switchyard_exp_block_uses_avx2() ? exp_block_avx2(values, count, limit)
                                            : exp_block_generic(values, count, limit);
}
#else
int switchyard_exp_block_uses_avx2(void) { return 0; }

int switchyard_exp_block(double *values, size_t count, double limit) {
    return exp_block_generic(values, count, limit);
}
#endif
