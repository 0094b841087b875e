/* The binary cross-entropy's row loop over one block in window form (see
 * FN(encode_windows) in _fused_rows.h), for one floating type and one instruction set.
 *
 * Included by _fused_rows.h once per instruction set, with ISA(name) naming the
 * instance, TARGET its function attribute and LOAD8(p) turning a window's eight codes
 * into a vector of REAL (one pmovzx and one convert on AVX2/AVX-512). A window is
 * eight consecutive columns: its forward product is one vector multiply-add against
 * U = c ∘ w, its backward one against Gq, where the CSR form took a gather (or a
 * scatter) per nonzero. Rows go in groups of GROUP, as in softmax_rows: the per-row
 * chain (e^-|z|, log1p, divide) of one row overlaps the next rows' work.
 */
TARGET NO_VECTORIZE static void
ISA(window_rows)(const FN(windows) *s, const REAL *targets, Py_ssize_t rows,
                 const REAL *U, const REAL *w, REAL z0, REAL inv_n, int backward,
                 REAL *Gq, REAL *g, FN(wvec) *seen, double *gb, double *loss_out,
                 int64_t *correct_out)
{
    typedef FN(wvec) vec;
    typedef FN(wvec_u) uvec;
    const int64_t *wptr = s->wptr, *rptr = s->rptr;
    const int32_t *wcol = s->wcol, *rind = s->rind;
    const uint8_t *codes = s->codes;
    const REAL *rval = s->rval;
    double loss = 0.0, bias = 0.0;
    int64_t correct = 0;
    REAL z[GROUP];
    for (Py_ssize_t i0 = 0; i0 < rows; i0 += GROUP) {
        const int group = rows - i0 < GROUP ? (int)(rows - i0) : GROUP;
        vec *x = seen; /* the group's windows as REALs, kept for the backward pass */
        for (int r = 0; r < group; r++) {
            const Py_ssize_t i = i0 + r;
            vec acc[4] = {{0}, {0}, {0}, {0}}; /* four chains of multiply-adds */
            int64_t p = wptr[i];
            const int64_t stop = wptr[i + 1];
            for (; p + 3 < stop; p += 4, x += 4)
                for (int u = 0; u < 4; u++) {
                    x[u] = LOAD8(codes + 8 * (p + u));
                    acc[u] += x[u] * *(const uvec *)(U + wcol[p + u]);
                }
            for (; p < stop; p++, x++) {
                *x = LOAD8(codes + 8 * p);
                acc[0] += *x * *(const uvec *)(U + wcol[p]);
            }
            const vec sum = (acc[0] + acc[1]) + (acc[2] + acc[3]);
            REAL zr = z0, rest[2] = {0, 0}; /* the remainder's nonzeros, as in CSR */
            for (int l = 0; l < 8; l++)
                zr += sum[l];
            int64_t q = rptr[i];
            for (; q + 1 < rptr[i + 1]; q += 2)
                for (int u = 0; u < 2; u++)
                    rest[u] += rval[q + u] * w[rind[q + u]];
            if (q < rptr[i + 1])
                rest[0] += rval[q] * w[rind[q]];
            z[r] = zr + (rest[0] + rest[1]);
        }
        FN(binary_dz)(z, targets + i0, group, inv_n, &loss, &bias, &correct);
        if (!backward)
            continue;
        x = seen;
        for (int r = 0; r < group; r++) {
            const Py_ssize_t i = i0 + r;
            const REAL dz = z[r];
            for (int64_t p = wptr[i]; p < wptr[i + 1]; p++)
                *(uvec *)(Gq + wcol[p]) += *x++ * dz;
            for (int64_t q = rptr[i]; q < rptr[i + 1]; q++)
                g[rind[q]] += rval[q] * dz;
        }
    }
    *gb = bias;
    *loss_out = loss;
    *correct_out = correct;
}
