/* One row block of the cross-entropy over a sparse design, for one floating type.
 *
 * Included twice by _fused.c, with REAL = float / double and FN(name) naming the
 * instance. The design is S in CSR form (rows of X minus a per-column background
 * m; the background's share of the logits arrives as z0 = mᵀW + b). Each row is read
 * once for both products: its logits, loss and dL/dz are computed while the row's
 * nonzeros are still in L1, then the same nonzeros scatter z's gradient into G.
 */

/* 64 bytes of REAL: one AVX-512 register, two AVX2 or four SSE ones, as the clone
 * compiled for the machine has them (GCC's vector extension lowers the operators).
 * uvec is the same for unaligned rows of W and G; ivec holds lane masks and integers. */
typedef REAL FN(vec) __attribute__((vector_size(64)));
typedef REAL FN(uvec) __attribute__((vector_size(64), aligned(sizeof(REAL))));
typedef INT FN(ivec) __attribute__((vector_size(64)));

/* e^x lane by lane for x <= 0 (softmax logits minus the row maximum): x = n ln2 + r
 * with |r| <= ln2/2, e^r by its Taylor series to the degree whose next term is below
 * the type's epsilon, 2^n written into the exponent bits. Below EXP_MIN the result is
 * e^EXP_MIN (1e-26 / 1e-261: nothing beside the row's largest term, 1), high enough
 * that the gradient's e/(norm n) stays a normal number: a subnormal result costs
 * the CPU ~100x a plain multiply. NaN stays NaN (it compares false, so the clamp keeps
 * it), so a diverged fit is still seen. */
static inline FN(vec)
FN(exp_le0)(FN(vec) x)
{
    typedef FN(vec) vec;
    typedef FN(ivec) ivec;
    const vec lo = (vec){0} + (REAL)EXP_MIN;
    const ivec below = x < lo;
    x = (vec)(((ivec)lo & below) | ((ivec)x & ~below));
    const vec t = x * (REAL)1.44269504088896340736 - (REAL)0.5;
    const ivec n = __builtin_convertvector(t, ivec); /* t <= 0.5: truncation rounds */
    const vec fn = __builtin_convertvector(n, vec);
    const vec r = (x - fn * (REAL)LN2_HI) - fn * (REAL)LN2_LO;
    vec p = (vec){0} + (REAL)1; /* 1 + r/1 (1 + r/2 (... (1 + r/N))), unrolled */
    for (int j = TAYLOR_DEGREE; j >= 1; j--)
        p = (REAL)1 + r * ((REAL)1 / (REAL)j) * p;
    return p * (vec)((n + EXP_BIAS) << MANT_BITS);
}

/* z = z0 + Σ_p x_p W[j_p] over one row's nonzeros p in [start, stop), with four
 * accumulators so that consecutive nonzeros' multiply-adds do not wait on each other. */
static inline __attribute__((always_inline)) void
FN(row_logits)(const int32_t *indices, const REAL *data, int64_t start, int64_t stop,
               const REAL *W, const REAL *z0, const int nv, FN(vec) *z)
{
    typedef FN(vec) vec;
    typedef FN(uvec) uvec;
    const Py_ssize_t kp = (Py_ssize_t)nv * LANES;
    vec acc[4][MAX_KP / LANES];
    for (int v = 0; v < nv; v++) {
        acc[0][v] = ((const uvec *)z0)[v];
        acc[1][v] = acc[2][v] = acc[3][v] = (vec){0};
    }
    int64_t p = start;
    for (; p + 3 < stop; p += 4)
        for (int u = 0; u < 4; u++) {
            const uvec *w = (const uvec *)(W + indices[p + u] * kp);
            for (int v = 0; v < nv; v++)
                acc[u][v] += data[p + u] * w[v];
        }
    for (; p < stop; p++) {
        const uvec *w = (const uvec *)(W + indices[p] * kp);
        for (int v = 0; v < nv; v++)
            acc[0][v] += data[p] * w[v];
    }
    for (int v = 0; v < nv; v++)
        z[v] = (acc[0][v] + acc[1][v]) + (acc[2][v] + acc[3][v]);
}

/* Softmax cross-entropy. W, G: (d, kp) row-major, kp = nv * LANES >= k; z0's padding
 * lanes are -inf (so they never win the maximum), those of W are ignored and those of
 * G stay zero. nv is a compile-time constant in the common cases (softmax_dispatch),
 * so a row's logits are a few registers. Rows go in groups of GROUP: all logits, then
 * all softmaxes, then all scatters, so that the out-of-order core overlaps the rows'
 * softmax latency chains (max, exp, sum, divide), which one row alone would expose. */
static inline __attribute__((always_inline)) void
FN(softmax_rows)(const int64_t *indptr, const int32_t *indices, const REAL *data,
                 const int32_t *labels, Py_ssize_t rows, const REAL *W, const REAL *z0,
                 const int k, const int nv, const REAL inv_n, const int backward,
                 REAL *G, double *gb, double *loss_out, int64_t *correct_out)
{
    typedef FN(vec) vec;
    typedef FN(uvec) uvec;
    typedef FN(ivec) ivec;
    const Py_ssize_t kp = (Py_ssize_t)nv * LANES;
    vec bias[MAX_KP / LANES];
    ivec keep[MAX_KP / LANES], lane[MAX_KP / LANES]; /* class < k; class index */
    for (int v = 0; v < nv; v++) {
        bias[v] = (vec){0};
        for (int l = 0; l < LANES; l++) {
            lane[v][l] = v * LANES + l;
            keep[v][l] = v * LANES + l < k ? -1 : 0;
        }
    }
    double loss = 0.0;
    int64_t correct = 0;
    union {
        vec v[MAX_KP / LANES];
        REAL r[MAX_KP];
    } z[GROUP];
    for (Py_ssize_t i0 = 0; i0 < rows; i0 += GROUP) {
        const int group = rows - i0 < GROUP ? (int)(rows - i0) : GROUP;
        for (int g = 0; g < group; g++)
            FN(row_logits)(indices, data, indptr[i0 + g], indptr[i0 + g + 1], W, z0, nv,
                           z[g].v);
        for (int g = 0; g < group; g++) {
            REAL *zr = z[g].r;
            const int y = labels[i0 + g];
            REAL top = zr[0];
            int arg = 0; /* the predicted class */
            for (int c = 1; c < k; c++)
                if (zr[c] > top) {
                    top = zr[c];
                    arg = c;
                }
            correct += (arg == y);
            const REAL zy = zr[y];
            for (int v = 0; v < nv; v++)
                z[g].v[v] = FN(exp_le0)(z[g].v[v] - top);
            REAL norm = 0;
            for (int c = 0; c < k; c++)
                norm += zr[c];
            loss += log((double)norm) + (double)(top - zy); /* logsumexp(z) - z_y */
            if (!backward)
                continue;
            /* z becomes D_i = (softmax - onehot) / n, padding lanes 0 */
            const REAL scale = inv_n / norm;
            for (int v = 0; v < nv; v++) {
                const ivec is_y = lane[v] == y;
                const vec p = (vec)((ivec)z[g].v[v] & keep[v]) * scale;
                z[g].v[v] = p - (vec)((ivec)((vec){0} + inv_n) & is_y);
                bias[v] += z[g].v[v];
            }
        }
        if (!backward)
            continue;
        for (int g = 0; g < group; g++) /* G[j_p] += x_p D_i */
            for (int64_t p = indptr[i0 + g]; p < indptr[i0 + g + 1]; p++) {
                uvec *row = (uvec *)(G + indices[p] * kp);
                for (int v = 0; v < nv; v++)
                    row[v] += data[p] * z[g].v[v];
            }
    }
    for (int c = 0; c < k; c++)
        gb[c] = ((REAL *)bias)[c];
    *loss_out = loss;
    *correct_out = correct;
}

/* kp a compile-time constant in the common cases, so the class loops become a few
 * whole SIMD registers; each ISA clone gets its own copy. */
CLONES static void
FN(softmax_dispatch)(const int64_t *indptr, const int32_t *indices, const REAL *data,
                     const int32_t *labels, Py_ssize_t rows, const REAL *W,
                     const REAL *z0, int k, int kp, REAL inv_n, int backward, REAL *G,
                     double *gb, double *loss, int64_t *correct)
{
#define CALL(NV)                                                                      \
    FN(softmax_rows)(indptr, indices, data, labels, rows, W, z0, k, NV, inv_n,         \
                     backward, G, gb, loss, correct)
    if (kp == LANES)
        CALL(1);
    else if (kp == 2 * LANES)
        CALL(2);
    else
        CALL(kp / LANES);
#undef CALL
}

/* Binary cross-entropy with logits for a group of up to GROUP rows, one lane each:
 * loss, accuracy, and each z[r] replaced by dL/dz = (σ(z) - y) / n (targets 0/1).
 * t = e^-|z| <= 1 by exp_le0 (clamped at e^EXP_MIN: the loss then differs from
 * log(1 + e^-|z|) by at most that), log(1 + t) = 2 atanh(s) with s = t / (2 + t)
 * <= 1/3, its series to the type's precision; no overflow on either side. */
static inline void
FN(binary_dz)(REAL *z, const REAL *targets, int group, REAL inv_n, double *loss,
              double *bias, int64_t *correct)
{
    typedef FN(vec) vec;
    typedef FN(ivec) ivec;
    vec zv = {0}, yv = {0};
    ivec live = {0};
    for (int r = 0; r < group; r++) {
        zv[r] = z[r];
        yv[r] = targets[r];
        live[r] = -1;
    }
    const ivec pos = zv > 0;
    const vec absz = (vec)((pos & (ivec)zv) | (~pos & (ivec)-zv));
    const vec t = FN(exp_le0)(-absz), one = (vec){0} + (REAL)1;
    const vec s = t / (t + (REAL)2), u = s * s;
    vec series = (vec){0} + (REAL)1 / (2 * LOG1P_TERMS + 1);
    for (int k = LOG1P_TERMS - 1; k >= 0; k--)
        series = series * u + (REAL)1 / (REAL)(2 * k + 1);
    const vec lossv = (vec)(pos & (ivec)zv) + 2 * s * series - yv * zv;
    const vec sigma = (vec)((pos & (ivec)one) | (~pos & (ivec)t)) / (one + t);
    const vec dz = (vec)(live & (ivec)((sigma - yv) * inv_n));
    const ivec hit = live & (pos == (yv > (REAL)0.5));
    for (int r = 0; r < group; r++) {
        *loss += (double)lossv[r];
        *bias += (double)dz[r];
        *correct -= hit[r]; /* -1 where right */
        z[r] = dz[r];
    }
}

/* A row block of S in window form (built by FN(encode_windows)): row i's windows are
 * wptr[i]..wptr[i+1]; window p covers columns wcol[p] .. wcol[p]+7 and holds their
 * values as codes[8p + l] * c[column] (codes 1..255, 0 for a column outside the
 * window's nonzeros). Values that are no such multiple stay in CSR form, the
 * remainder: rptr, rind, rval. */
typedef struct {
    const int64_t *wptr, *rptr;
    const int32_t *wcol, *rind;
    const uint8_t *codes;
    const REAL *rval;
} FN(windows);

/* eight REALs: one AVX-512 register for double, one AVX2 one for float */
typedef REAL FN(wvec) __attribute__((vector_size(8 * sizeof(REAL))));
typedef REAL FN(wvec_u) __attribute__((vector_size(8 * sizeof(REAL)), aligned(sizeof(REAL))));

static inline FN(wvec)
FN(load8_any)(const uint8_t *p)
{
    FN(wvec) v;
    for (int l = 0; l < 8; l++)
        v[l] = (REAL)p[l];
    return v;
}
#define ISA(name) FN(name##_any)
#define TARGET
#define LOAD8(p) FN(load8_any)(p)
#include "_windows_rows.h"
#undef ISA
#undef TARGET
#undef LOAD8

#ifdef X86_DISPATCH
/* GCC's vector conversion from bytes goes lane by lane; the intrinsics do not */
__attribute__((target("arch=x86-64-v3"))) static inline FN(wvec)
FN(load8_v3)(const uint8_t *p)
{
    const __m256i q = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)p));
#if IS_DOUBLE
    FN(wvec) v;
    const __m256d lo = _mm256_cvtepi32_pd(_mm256_castsi256_si128(q));
    const __m256d hi = _mm256_cvtepi32_pd(_mm256_extracti128_si256(q, 1));
    memcpy(&v, &lo, sizeof lo);
    memcpy((char *)&v + sizeof lo, &hi, sizeof hi);
    return v;
#else
    return (FN(wvec))_mm256_cvtepi32_ps(q);
#endif
}
#define ISA(name) FN(name##_v3)
#define TARGET __attribute__((target("arch=x86-64-v3")))
#define LOAD8(p) FN(load8_v3)(p)
#include "_windows_rows.h"
#undef ISA
#undef TARGET
#undef LOAD8

__attribute__((target("arch=x86-64-v4"))) static inline FN(wvec)
FN(load8_v4)(const uint8_t *p)
{
    const __m256i q = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)p));
#if IS_DOUBLE
    return (FN(wvec))_mm512_cvtepi32_pd(q);
#else
    return (FN(wvec))_mm256_cvtepi32_ps(q);
#endif
}
#define ISA(name) FN(name##_v4)
#define TARGET __attribute__((target("arch=x86-64-v4")))
#define LOAD8(p) FN(load8_v4)(p)
#include "_windows_rows.h"
#undef ISA
#undef TARGET
#undef LOAD8
#endif

/* One block's binary epoch: U = c ∘ w (8 zeros of padding, so a window may run past
 * column d - 1), the rows, then g += c ∘ Gq. Returns -1 when out of memory. */
static int
FN(binary_windows)(const FN(windows) *s, const REAL *c, const REAL *targets,
                   Py_ssize_t rows, Py_ssize_t d, int64_t longest, const REAL *w,
                   REAL z0, REAL inv_n, int backward, REAL *g, double *gb, double *loss,
                   int64_t *correct)
{
    /* room for a group of the longest rows' windows (at most d / 8 + 1 each from
     * encode_windows, whose windows start 8 or more apart) */
    const size_t n_seen = (size_t)GROUP * (size_t)(longest + 1);
    FN(wvec) *seen = aligned_alloc(sizeof(FN(wvec)), n_seen * sizeof(FN(wvec)));
    REAL *U = calloc(2 * (size_t)(d + 8), sizeof(REAL));
    if (U == NULL || seen == NULL) {
        free(U);
        free(seen);
        return -1;
    }
    REAL *Gq = U + d + 8;
    for (Py_ssize_t j = 0; j < d; j++)
        U[j] = c[j] != 0 ? c[j] * w[j] : 0; /* 0, not 0 * w: w may be inf */
#define CALL(SUFFIX)                                                                  \
    FN(window_rows_##SUFFIX)(s, targets, rows, U, w, z0, inv_n, backward, Gq, g, seen,  \
                             gb, loss, correct)
#ifdef X86_DISPATCH
    if (cpu_has_v4())
        CALL(v4);
    else if (cpu_has_v3())
        CALL(v3);
    else
#endif
        CALL(any);
#undef CALL
    if (backward)
        for (Py_ssize_t j = 0; j < d; j++)
            g[j] += c[j] * Gq[j];
    free(U);
    free(seen);
    return 0;
}

/* The code q (1..255) with q c == v to within a few units of rounding of x = v + m
 * (the precision S = X - m carried anyway), or 0 when v is no such multiple. */
static inline int
FN(code)(REAL v, REAL c, REAL inv_c, REAL m)
{
    if (c == 0)
        return 0;
    const REAL q = RINT(v * inv_c);
    if (!(q >= 1 && q <= 255))
        return 0;
    return FABS(q * c - v) <= (REAL)CODE_ULPS * EPSILON * (FABS(v) + FABS(m)) ? (int)q : 0;
}

/* Per column, a step c_j of which this block's nonzeros S_ij are whole multiples
 * q c_j, 1 <= q <= 255: pixels scaled per column (x/255, standardising) are exactly
 * that, q being the pixel (up to rounding). Euclid's algorithm on the values, to the
 * rounding noise a step up to 255 times over carries (FN(code) then checks every value
 * tightly), the step taken again from the column's largest value after each change so
 * that the remainders' noise does not pile up; c_j = 0 when the column has no such
 * step (values of both signs, more than 255 steps apart). `step`, `big`, `inv` (1 /
 * step): d doubles of scratch each. */
CLONES static void
FN(quanta)(const int64_t *indptr, const int32_t *indices, const REAL *data,
           Py_ssize_t rows, Py_ssize_t d, const REAL *m, double *step, double *big,
           double *inv, REAL *c)
{
    for (Py_ssize_t j = 0; j < d; j++)
        step[j] = big[j] = 0;
    /* at most QUANTA_ROWS evenly spaced rows: a column missed keeps its values in the
     * remainder, still exact */
    const Py_ssize_t stride = rows / QUANTA_ROWS + 1;
    for (Py_ssize_t i = 0; i < rows; i += stride)
        for (int64_t p = indptr[i]; p < indptr[i + 1]; p++) {
            const int32_t j = indices[p];
            const double v = data[p], s = step[j];
            if (s != s) /* NaN: no step */
                continue;
            if (s == 0) {
                step[j] = big[j] = v;
                inv[j] = 1 / v;
                continue;
            }
            if ((v > 0) != (s > 0)) {
                step[j] = NAN;
                continue;
            }
            if (fabs(v) > fabs(big[j]))
                big[j] = v;
            /* noise: each value's rounding (~eps (|v| + |m|)), times q <= 255 */
            const double tol = 512 * (double)EPSILON * (fabs(big[j]) + fabs((double)m[j]));
            const double q0 = rint(v * inv[j]);
            if (fabs(v - q0 * s) <= tol && fabs(big[j]) <= 255.5 * fabs(s))
                continue; /* a multiple of the step already: the common case */
            double a = fabs(v), b = fabs(s);
            while (b > tol) { /* gcd(a, b); remainders to the nearest multiple */
                const double r = fabs(a - rint(a / b) * b);
                a = b;
                b = r;
            }
            /* the step again from the largest value (a has the remainders' noise) */
            const double q = rint(fabs(big[j]) / a);
            step[j] = (s > 0 ? 1 : -1) * fabs(big[j]) / q;
            inv[j] = 1 / step[j];
            if (q > 255)
                step[j] = NAN;
        }
    for (Py_ssize_t j = 0; j < d; j++) {
        const double s = step[j], q = s == s && s != 0 ? rint(big[j] / s) : 0;
        const REAL cj = q >= 1 ? (REAL)(big[j] / q) : 0; /* from the largest value */
        c[j] = isfinite(cj) && cj != 0 ? cj : 0; /* an inf or NaN column: no step */
    }
}

/* Greedy windows over one row's coded nonzeros: a window opens at the first coded
 * column not yet covered and spans eight (the fewest windows that cover them); the
 * others go to the remainder. Windows and remainder are written at *nw, *nr (codes
 * zeroed beforehand). Opening a window is data-dependent, so it moves the counters
 * without a branch. */
static inline __attribute__((always_inline)) void
FN(encode_row)(const int32_t *indices, const REAL *data, int64_t start, int64_t stop,
               const REAL *m, const REAL *c, const REAL *inv_c, int64_t *nw, int64_t *nr,
               int32_t *wcol, uint8_t *codes, int32_t *rind, REAL *rval)
{
    int64_t end = -1, w = *nw - 1, r = *nr, first = 0;
    for (int64_t p = start; p < stop; p++) {
        const int32_t j = indices[p];
        const int q = FN(code)(data[p], c[j], inv_c[j], m[j]);
        if (q) { /* the common case */
            const int64_t open = -(int64_t)(j >= end); /* all ones or zero */
            w -= open;
            first = (first & ~open) | ((int64_t)j & open);
            end = (end & ~open) | (((int64_t)j + 8) & open);
            wcol[w] = (int32_t)first;
            codes[8 * w + (j - first)] = (uint8_t)q;
        } else {
            rind[r] = j;
            rval[r] = data[p];
            r++;
        }
    }
    *nw = w + 1;
    *nr = r;
}

/* S = X - m in CSR form, straight from a C-contiguous X (rows, d), in one pass: the
 * row pointers, and the column indices and values while they fit in `capacity`.
 * Returns the number of nonzeros (more than capacity: call again with that much). */
CLONES static int64_t
FN(csr_fill)(const REAL *X, const REAL *m, Py_ssize_t rows, Py_ssize_t d,
             int64_t capacity, int64_t *indptr, int32_t *indices, REAL *data)
{
    int64_t p = 0;
    indptr[0] = 0;
    for (Py_ssize_t i = 0; i < rows; i++) {
        const REAL *x = X + i * d;
        if (p + d <= capacity) /* the row fits whatever it holds: no check per value */
            for (Py_ssize_t j = 0; j < d; j++) {
                const REAL v = x[j] - m[j];
                indices[p] = (int32_t)j; /* written always, kept (p moves on) when */
                data[p] = v;             /* v != 0: no branch on the data */
                p += v != 0;
            }
        else
            for (Py_ssize_t j = 0; j < d; j++) {
                const REAL v = x[j] - m[j];
                if (p < capacity) {
                    indices[p] = (int32_t)j;
                    data[p] = v;
                }
                p += v != 0;
            }
        indptr[i + 1] = p;
    }
    return p;
}

/* Each row's windows and remainder, in one pass, into arrays with room for every
 * nonzero (each takes at most one window or one remainder place). */
CLONES static void
FN(encode_rows)(const int64_t *indptr, const int32_t *indices, const REAL *data,
                Py_ssize_t rows, const REAL *m, const REAL *c, const REAL *inv_c,
                int64_t *wptr, int64_t *rptr, int32_t *wcol, uint8_t *codes, int32_t *rind,
                REAL *rval)
{
    int64_t nw = 0, nr = 0;
    wptr[0] = rptr[0] = 0;
    for (Py_ssize_t i = 0; i < rows; i++) {
        FN(encode_row)(indices, data, indptr[i], indptr[i + 1], m, c, inv_c, &nw, &nr,
                       wcol, codes, rind, rval);
        wptr[i + 1] = nw;
        rptr[i + 1] = nr;
    }
}

/* this instance's parameters, set by _fused.c before the #include */
#undef REAL
#undef FN
#undef EXP
#undef FABS
#undef LANES
#undef INT
#undef UINT
#undef EXP_MIN
#undef EXP_BIAS
#undef MANT_BITS
#undef LN2_HI
#undef LN2_LO
#undef TAYLOR_DEGREE
#undef LOG1P_TERMS
#undef RINT
#undef EPSILON
#undef IS_DOUBLE
