/* CGSL: the parts of the GNU Scientific Library Headroom uses, plus one generator type.
 *
 * No stable Swift API: HeadroomKernel wraps everything here.
 *
 * Besides the GSL headers, this file registers xoshiro256** (Blackman & Vigna, 2018) as a
 * `gsl_rng_type`, so that every GSL distribution (gamma, lognormal, Weibull, ...) can draw from
 * it while Swift's hot path steps the very same state inline (HeadroomKernel.RandomStream).
 * GSL 2.7 ships no xoshiro; its mt19937 measured ~1.6x slower in the simulator's inner loop
 * (../shared/BUILD-NOTES.md). The Swift and C steps below must stay bit-for-bit identical:
 * a kernel test checks it.
 */
#ifndef HEADROOM_CGSL_SHIM_H
#define HEADROOM_CGSL_SHIM_H

#include <stdint.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_vector.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_multifit_nlinear.h>

/* GSL's trust-region method for gsl_multifit_nlinear, through an accessor: Swift 6 refuses the
 * global `gsl_multifit_nlinear_trust` as shared mutable state (../shared/BUILD-NOTES.md). */
static inline const gsl_multifit_nlinear_type *headroom_nlinear_trust(void) {
    return gsl_multifit_nlinear_trust;
}

typedef struct { uint64_t s[4]; } headroom_xoshiro_state;

static inline uint64_t headroom_rotl(const uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t headroom_splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint64_t headroom_xoshiro_next(headroom_xoshiro_state *st) {
    uint64_t *s = st->s;
    const uint64_t result = headroom_rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = headroom_rotl(s[3], 45);
    return result;
}

static void headroom_xoshiro_set(void *vstate, unsigned long int seed) {
    headroom_xoshiro_state *st = (headroom_xoshiro_state *)vstate;
    uint64_t x = (uint64_t)seed;
    for (int i = 0; i < 4; i++) st->s[i] = headroom_splitmix64(&x);
}

/* 32-bit integers for GSL's integer interface (like most GSL generators). */
static unsigned long int headroom_xoshiro_get(void *vstate) {
    return (unsigned long int)(headroom_xoshiro_next((headroom_xoshiro_state *)vstate) >> 32);
}

/* 53 random bits in [0, 1). */
static double headroom_xoshiro_get_double(void *vstate) {
    return (double)(headroom_xoshiro_next((headroom_xoshiro_state *)vstate) >> 11) * 0x1.0p-53;
}

static const gsl_rng_type headroom_xoshiro256ss_type = {
    "xoshiro256**",
    0xffffffffUL,
    0,
    sizeof(headroom_xoshiro_state),
    &headroom_xoshiro_set,
    &headroom_xoshiro_get,
    &headroom_xoshiro_get_double
};

/* Accessors: Swift 6 strict concurrency rejects GSL's global generator-type pointers. */
static inline const gsl_rng_type *headroom_rng_xoshiro256ss(void) { return &headroom_xoshiro256ss_type; }
static inline const gsl_rng_type *headroom_rng_mt19937(void) { return gsl_rng_mt19937; }
static inline const gsl_rng_type *headroom_rng_taus2(void) { return gsl_rng_taus2; }

#endif
