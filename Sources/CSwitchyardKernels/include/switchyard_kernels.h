// SPDX-License-Identifier: GPL-3.0-or-later
// Numerical kernels that want a vector instruction set chosen at run time (C lets a
// function be compiled for AVX2 and picked by a CPU check; Swift has no equivalent).
// Only SwitchyardStochastic imports this module.
#ifndef SWITCHYARD_KERNELS_H
#define SWITCHYARD_KERNELS_H

#include <stddef.h>

/// Replaces each of values[0 ..< count] with its exponential and returns 1 when every
/// argument lies in [-limit, limit] (limit <= 708); otherwise changes nothing and
/// returns 0 (the caller takes those blocks value by value). The same IEEE operations
/// in the same order on every path, so the result does not depend on the CPU.
int switchyard_exp_block(double *values, size_t count, double limit);

/// The same without the CPU dispatch: the baseline instruction set (for tests that
/// check both paths give the same bits).
int switchyard_exp_block_baseline(double *values, size_t count, double limit);

/// 1 when the AVX2 path is taken on this CPU, 0 otherwise (for benchmarks).
int switchyard_exp_block_uses_avx2(void);

#endif
