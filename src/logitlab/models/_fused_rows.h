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

/* Binary cross-entropy with logits: w, g (d,), targets 0/1. Rows in groups of GROUP,
 * as in softmax_rows: the per-row chain (e^-|z|, log1p, divide) of one row overlaps
 * the next rows' instead of stalling the core. */
CLONES NO_VECTORIZE static void
FN(binary_rows)(const int64_t *indptr, const int32_t *indices, const REAL *data,
                const REAL *targets, Py_ssize_t rows, const REAL *w, REAL z0,
                REAL inv_n, int backward, REAL *g, double *gb, double *loss_out,
                int64_t *correct_out)
{
    double loss = 0.0, bias = 0.0;
    int64_t correct = 0;
    REAL z[GROUP];
    for (Py_ssize_t i0 = 0; i0 < rows; i0 += GROUP) {
        const int group = rows - i0 < GROUP ? (int)(rows - i0) : GROUP;
        for (int r = 0; r < group; r++) {
            REAL acc[4] = {z0, 0, 0, 0}; /* four chains of multiply-adds, not one */
            const int64_t stop = indptr[i0 + r + 1];
            int64_t p = indptr[i0 + r];
            for (; p + 3 < stop; p += 4)
                for (int u = 0; u < 4; u++)
                    acc[u] += data[p + u] * w[indices[p + u]];
            for (; p < stop; p++)
                acc[0] += data[p] * w[indices[p]];
            z[r] = (acc[0] + acc[1]) + (acc[2] + acc[3]);
        }
        for (int r = 0; r < group; r++) {
            const REAL y = targets[i0 + r], zr = z[r];
            const REAL t = EXP(-FABS(zr)); /* e^-|z| <= 1 */
            /* log(1 + e^z) - y z, both branches without overflow */
            loss += (double)(zr > 0 ? zr : 0) + log1p((double)t) - (double)(y * zr);
            correct += ((zr > 0) == (y > (REAL)0.5));
            const REAL sigma = zr >= 0 ? 1 / (1 + t) : t / (1 + t);
            z[r] = (sigma - y) * inv_n; /* z becomes dL/dz */
            bias += z[r];
        }
        if (!backward)
            continue;
        for (int r = 0; r < group; r++)
            for (int64_t p = indptr[i0 + r]; p < indptr[i0 + r + 1]; p++)
                g[indices[p]] += data[p] * z[r];
    }
    *gb = bias;
    *loss_out = loss;
    *correct_out = correct;
}

/* S = X - m in CSR form, straight from a C-contiguous X (rows, d): first the row
 * pointers (returns the number of nonzeros), then, into arrays of that size, the
 * column indices and values (returns how many it found: the caller checks that it
 * is the same X). One pass each, no temporaries. */
CLONES static int64_t
FN(csr_indptr)(const REAL *X, const REAL *m, Py_ssize_t rows, Py_ssize_t d,
               int64_t *indptr)
{
    int64_t nnz = 0;
    indptr[0] = 0;
    for (Py_ssize_t i = 0; i < rows; i++) {
        const REAL *x = X + i * d;
        for (Py_ssize_t j = 0; j < d; j++)
            nnz += x[j] - m[j] != 0;
        indptr[i + 1] = nnz;
    }
    return nnz;
}

CLONES static int64_t
FN(csr_fill)(const REAL *X, const REAL *m, Py_ssize_t rows, Py_ssize_t d,
             int64_t capacity, int32_t *indices, REAL *data)
{
    int64_t p = 0;
    for (Py_ssize_t i = 0; i < rows; i++) {
        const REAL *x = X + i * d;
        for (Py_ssize_t j = 0; j < d; j++) {
            const REAL v = x[j] - m[j];
            if (p < capacity) { /* written always, kept (p moves on) when v != 0: */
                indices[p] = (int32_t)j; /* no branch on the data to mispredict */
                data[p] = v;
            }
            p += v != 0;
        }
    }
    return p;
}
