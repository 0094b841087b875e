/* logitlab.backends._fused: the fused full-batch epoch over a sparse design, in C.
 *
 * Why: the same epoch in NumPy/SciPy is two separate sparse products plus a softmax,
 * each a pass over memory, and scipy's CSR product does not vectorise over the ten
 * classes. Here each row of S is read once for both products, the class loop is whole
 * SIMD registers (kp padded to 16 floats / 8 doubles), and one call runs all row
 * blocks, without the GIL, on OpenMP threads (run_blocks), so threadpoolctl,
 * OMP_NUM_THREADS and an explicit thread count all apply.
 * `logitlab.backends.compiled` prepares the CSR arrays (column indices < d by
 * construction) and checks their dtypes; this module checks every buffer's size,
 * indptr's order and the labels' range before touching memory. Built when a C
 * compiler is present; without one the NumPy reference objective is used.
 *
 * The binary model reads its rows in window form instead (encode_windows, binary_epoch;
 * see _fused_rows.h and _windows_rows.h): eight columns' pixel codes per vector
 * multiply-add, where CSR took a gather or scatter per nonzero.
 *
 * x86-64 builds carry three copies of the row loops (AVX-512, AVX2+FMA, SSE2), the
 * best one chosen when the module loads (GCC's target_clones; the window loops, which
 * need intrinsics, by __builtin_cpu_supports at the call), so one build runs well on
 * any x86-64 machine.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_KP 256 /* classes (padded) held on the stack per row */
#define QUANTA_ROWS 1024 /* rows (at most) that decide a block's column steps */
#define CODE_ULPS 4 /* how far (in units of rounding of X) a window's q c may be from S */
#define GROUP 8   /* rows in flight together (see softmax_rows) */

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
/* the binary windows need intrinsics, so their instances are chosen here instead */
#define X86_DISPATCH
#include <immintrin.h>
#if __GNUC__ >= 12
static int
cpu_has_v3(void)
{
    return __builtin_cpu_supports("x86-64-v3");
}
static int
cpu_has_v4(void)
{
    return __builtin_cpu_supports("x86-64-v4");
}
#else /* the levels' defining features (GCC 11 knows no level names here) */
static int
cpu_has_v3(void)
{
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
           __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
}
static int
cpu_has_v4(void)
{
    return cpu_has_v3() && __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512cd");
}
#endif
#else
#define CLONES
#endif
#if defined(__GNUC__) && !defined(__clang__)
/* The binary rows are scalar gathers and scatters; GCC's vectoriser packed the float32
 * instance's accumulators and row group into shuffled vectors, and that pass ran at
 * half the float64 one's speed (1.36 against 0.83 ms per block, measured) */
#define NO_VECTORIZE __attribute__((optimize("no-tree-vectorize")))
#else
#define NO_VECTORIZE
#endif

#define REAL float
#define FN(name) name##_f32
#define EXP expf
#define FABS fabsf
#define LANES 16
#define INT int32_t
#define UINT uint32_t
#define EXP_MIN -60.0f
#define EXP_BIAS 127
#define MANT_BITS 23
#define LN2_HI 0.693359375f /* few bits: n LN2_HI is exact */
#define LN2_LO -2.12194440e-4f
#define TAYLOR_DEGREE 7 /* (ln2/2)^8 / 8! < 2^-24 */
#define LOG1P_TERMS 8      /* 9^-8 < 2^-24 */
#define RINT rintf
#define EPSILON FLT_EPSILON
#define IS_DOUBLE 0
#include "_fused_rows.h"

#define REAL double
#define FN(name) name##_f64
#define EXP exp
#define FABS fabs
#define LANES 8
#define INT int64_t
#define UINT uint64_t
#define EXP_MIN -600.0
#define EXP_BIAS 1023
#define MANT_BITS 52
#define LN2_HI 6.93147180369123816490e-01
#define LN2_LO 1.90821492927058770002e-10
#define TAYLOR_DEGREE 13 /* (ln2/2)^14 / 14! < 2^-53 */
#define LOG1P_TERMS 17     /* 9^-17 < 2^-53 */
#define RINT rint
#define EPSILON DBL_EPSILON
#define IS_DOUBLE 1
#include "_fused_rows.h"

#ifdef _OPENMP
#include <omp.h>
#include <pthread.h>
/* GNU OpenMP keeps its idle threads across parallel regions, and a child of fork()
 * inherits that pool without its threads: the child's first parallel region waits for
 * them forever. So once a region has run, a forked child runs its blocks on the
 * calling thread alone (same results: every block has its own buffers and the sums
 * are taken in block order). */
static int regions_ran;    /* a parallel region ran in this process */
static int pool_inherited; /* ... in the parent of this forked process */

static void
after_fork_in_child(void)
{
    pool_inherited = regions_ran;
}
#endif

typedef void (*block_task)(void *ctx, int i);

/* run(ctx, i) for each block i < n, on up to n_threads OpenMP threads (0: OpenMP's
 * current default, which threadpoolctl and OMP_NUM_THREADS set); blocks are handed
 * out one at a time, so a thread slowed down by a busy machine leaves its share to the
 * others. Call without the GIL. */
static void
run_blocks(block_task run, void *ctx, int n, int n_threads)
{
#ifdef _OPENMP
    if (n_threads <= 0)
        n_threads = omp_get_max_threads();
    if (n_threads > n)
        n_threads = n;
    if (n_threads > 1 && !pool_inherited) {
        regions_ran = 1;
#pragma omp parallel for schedule(dynamic, 1) num_threads(n_threads)
        for (int i = 0; i < n; i++)
            run(ctx, i);
        return;
    }
#else
    (void)n_threads;
#endif
    for (int i = 0; i < n; i++)
        run(ctx, i);
}

/* Buffers are C-contiguous by construction ("y*" / "w*" ask for simple buffers). */
static int
check_len(const Py_buffer *buf, Py_ssize_t items, Py_ssize_t size, const char *name)
{
    if (buf->len != items * size) {
        PyErr_Format(PyExc_ValueError, "%s has %zd bytes, expected %zd", name, buf->len,
                     items * size);
        return -1;
    }
    return 0;
}

static int
check_csr(const Py_buffer *indptr, const Py_buffer *indices, const Py_buffer *data,
          Py_ssize_t rows, Py_ssize_t size)
{
    const Py_ssize_t nnz = indices->len / 4;
    if (check_len(indptr, rows + 1, 8, "indptr") || check_len(indices, nnz, 4, "indices") ||
        check_len(data, nnz, size, "data"))
        return -1;
    const int64_t *ptr = indptr->buf;
    int ordered = ptr[0] == 0 && ptr[rows] == nnz;
    for (Py_ssize_t i = 0; ordered && i < rows; i++)
        ordered = ptr[i] <= ptr[i + 1];
    if (!ordered) {
        PyErr_SetString(PyExc_ValueError, "indptr does not span the nonzeros in order");
        return -1;
    }
    return 0;
}

/* Row pointers ptr (rows + 1) that start at 0, never decrease and end at `items`;
 * *longest gets the most items in one row. */
static int
check_ptr(const Py_buffer *ptr, Py_ssize_t rows, Py_ssize_t items, const char *name,
          int64_t *longest)
{
    if (check_len(ptr, rows + 1, 8, name))
        return -1;
    const int64_t *p = ptr->buf;
    int ordered = p[0] == 0 && p[rows] == items;
    *longest = 0;
    for (Py_ssize_t i = 0; ordered && i < rows; i++) {
        ordered = p[i] <= p[i + 1];
        *longest = p[i + 1] - p[i] > *longest ? p[i + 1] - p[i] : *longest;
    }
    if (!ordered) {
        PyErr_Format(PyExc_ValueError, "%s does not span its items in order", name);
        return -1;
    }
    return 0;
}

/* One row block of an epoch call: its buffers (checked before any thread starts) and
 * its results. softmax_epoch's blocks are (indptr, indices, data, labels, G, gb),
 * binary_epoch's (c, wptr, wcol, codes, rptr, rind, rval, targets, g); the last ones
 * (the gradients) writable. */
#define MAX_BLOCK_BUFFERS 9
typedef struct {
    Py_buffer buf[MAX_BLOCK_BUFFERS];
    int held; /* buffers acquired */
    Py_ssize_t rows;
    int64_t longest;
    double loss, gb;
    int64_t correct;
    int status;
} block;

/* The sequence `seq` of tuples of `n_buffers` buffers, the ones from `first_writable`
 * on writable, into *n new blocks (NULL and an exception on failure; blocks_close
 * releases them either way). */
static block *
blocks_open(PyObject *items, int n_buffers, int first_writable, Py_ssize_t *n)
{
    *n = PySequence_Fast_GET_SIZE(items);
    if (*n < 1 || *n > INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "no blocks");
        return NULL;
    }
    block *blocks = PyMem_Calloc(*n, sizeof *blocks);
    if (blocks == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    for (Py_ssize_t i = 0; i < *n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(items, i);
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != n_buffers) {
            PyErr_Format(PyExc_ValueError, "a block is a tuple of %d buffers", n_buffers);
            return blocks;
        }
        for (block *blk = &blocks[i]; blk->held < n_buffers; blk->held++)
            if (PyObject_GetBuffer(PyTuple_GET_ITEM(item, blk->held), &blk->buf[blk->held],
                                   blk->held >= first_writable ? PyBUF_WRITABLE
                                                               : PyBUF_SIMPLE))
                return blocks;
    }
    return blocks;
}

static void
blocks_close(block *blocks, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; blocks != NULL && i < n; i++)
        for (int k = 0; k < blocks[i].held; k++)
            PyBuffer_Release(&blocks[i].buf[k]);
    PyMem_Free(blocks);
}

/* The blocks' results summed into (loss, gb, correct); -1 (MemoryError) if a block
 * ran out of memory. */
static int
blocks_sum(const block *blocks, Py_ssize_t n, double *loss, double *gb, int64_t *correct)
{
    *loss = *gb = 0.0;
    *correct = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (blocks[i].status) {
            PyErr_NoMemory();
            return -1;
        }
        *loss += blocks[i].loss;
        *gb += blocks[i].gb;
        *correct += blocks[i].correct;
    }
    return 0;
}

typedef struct {
    block *blocks;
    const void *w;
    Py_ssize_t d;
    double z0, inv_n;
    int backward, size;
} binary_job;

static int
binary_block_check(block *blk, Py_ssize_t d, int size)
{
    const Py_buffer *b = blk->buf;
    const Py_ssize_t rows = b[7].len / size, nw = b[2].len / 4, nr = b[5].len / 4;
    int64_t unused;
    blk->rows = rows;
    return check_len(&b[0], d, size, "c") || check_len(&b[2], nw, 4, "wcol") ||
                   check_len(&b[3], 8 * nw, 1, "codes") || check_len(&b[5], nr, 4, "rind") ||
                   check_len(&b[6], nr, size, "rval") ||
                   check_len(&b[7], rows, size, "targets") ||
                   check_len(&b[8], d, size, "g") ||
                   check_ptr(&b[1], rows, nw, "wptr", &blk->longest) ||
                   check_ptr(&b[4], rows, nr, "rptr", &unused)
               ? -1
               : 0;
}

static void
binary_block_run(void *ctx, int i)
{
    const binary_job *job = ctx;
    block *blk = &job->blocks[i];
    const Py_buffer *b = blk->buf;
    if (job->size == 4) {
        const windows_f32 s = {b[1].buf, b[4].buf, b[2].buf, b[5].buf, b[3].buf, b[6].buf};
        blk->status = binary_windows_f32(&s, b[0].buf, b[7].buf, blk->rows, job->d,
                                         blk->longest, job->w, (float)job->z0,
                                         (float)job->inv_n, job->backward, b[8].buf,
                                         &blk->gb, &blk->loss, &blk->correct);
    } else {
        const windows_f64 s = {b[1].buf, b[4].buf, b[2].buf, b[5].buf, b[3].buf, b[6].buf};
        blk->status = binary_windows_f64(&s, b[0].buf, b[7].buf, blk->rows, job->d,
                                         blk->longest, job->w, job->z0, job->inv_n,
                                         job->backward, b[8].buf, &blk->gb, &blk->loss,
                                         &blk->correct);
    }
}

typedef struct {
    block *blocks;
    const void *W, *z0;
    int k, kp, backward, size;
    double inv_n;
} softmax_job;

static int
softmax_block_check(block *blk, Py_ssize_t d, int k, int kp, int size)
{
    const Py_buffer *b = blk->buf;
    const Py_ssize_t rows = b[3].len / 4;
    blk->rows = rows;
    if (check_len(&b[3], rows, 4, "labels") || check_csr(&b[0], &b[1], &b[2], rows, size) ||
        check_len(&b[4], d * kp, size, "G") || check_len(&b[5], kp, 8, "gb"))
        return -1;
    const int32_t *y = b[3].buf;
    for (Py_ssize_t i = 0; i < rows; i++)
        if (y[i] < 0 || y[i] >= k) {
            PyErr_Format(PyExc_ValueError, "label %d outside 0..%d", y[i], k - 1);
            return -1;
        }
    return 0;
}

static void
softmax_block_run(void *ctx, int i)
{
    const softmax_job *job = ctx;
    block *blk = &job->blocks[i];
    const Py_buffer *b = blk->buf;
    if (job->size == 4)
        softmax_dispatch_f32(b[0].buf, b[1].buf, b[2].buf, b[3].buf, blk->rows, job->W,
                             job->z0, job->k, job->kp, (float)job->inv_n, job->backward,
                             b[4].buf, b[5].buf, &blk->loss, &blk->correct);
    else
        softmax_dispatch_f64(b[0].buf, b[1].buf, b[2].buf, b[3].buf, blk->rows, job->W,
                             job->z0, job->k, job->kp, job->inv_n, job->backward,
                             b[4].buf, b[5].buf, &blk->loss, &blk->correct);
}

static PyObject *
softmax_epoch(PyObject *self, PyObject *args)
{
    PyObject *seq;
    Py_buffer W, z0;
    int k, kp, backward, size, n_threads;
    double inv_n;
    if (!PyArg_ParseTuple(args, "Oy*y*iidpii", &seq, &W, &z0, &k, &kp, &inv_n, &backward,
                          &size, &n_threads))
        return NULL;
    PyObject *result = NULL, *items = PySequence_Fast(seq, "blocks must be a sequence");
    block *blocks = NULL;
    Py_ssize_t n = 0;
    if (items == NULL)
        goto done;
    if ((size != 4 && size != 8) || k < 1 || kp < k || kp > MAX_KP ||
        kp % (size == 4 ? 16 : 8)) {
        PyErr_SetString(PyExc_ValueError, "bad item size or class count");
        goto done;
    }
    const Py_ssize_t d = W.len / ((Py_ssize_t)kp * size);
    if (check_len(&W, d * kp, size, "W") || check_len(&z0, kp, size, "z0") ||
        !(blocks = blocks_open(items, 6, 4, &n)) || PyErr_Occurred())
        goto done;
    for (Py_ssize_t i = 0; i < n; i++)
        if (softmax_block_check(&blocks[i], d, k, kp, size))
            goto done;
    softmax_job job = {blocks, W.buf, z0.buf, k, kp, backward, size, inv_n};
    Py_BEGIN_ALLOW_THREADS
    run_blocks(softmax_block_run, &job, (int)n, n_threads);
    Py_END_ALLOW_THREADS
    double loss, unused;
    int64_t correct;
    if (!blocks_sum(blocks, n, &loss, &unused, &correct))
        result = Py_BuildValue("dL", loss, (long long)correct);
done:
    blocks_close(blocks, n);
    Py_XDECREF(items);
    PyBuffer_Release(&W);
    PyBuffer_Release(&z0);
    return result;
}

static PyObject *
binary_epoch(PyObject *self, PyObject *args)
{
    PyObject *seq;
    Py_buffer w;
    double z0, inv_n;
    int backward, size, n_threads;
    if (!PyArg_ParseTuple(args, "Oy*ddpii", &seq, &w, &z0, &inv_n, &backward, &size,
                          &n_threads))
        return NULL;
    PyObject *result = NULL, *items = PySequence_Fast(seq, "blocks must be a sequence");
    block *blocks = NULL;
    Py_ssize_t n = 0;
    if (items == NULL)
        goto done;
    if (size != 4 && size != 8) {
        PyErr_SetString(PyExc_ValueError, "bad item size");
        goto done;
    }
    const Py_ssize_t d = w.len / size;
    if (check_len(&w, d, size, "w") || !(blocks = blocks_open(items, 9, 8, &n)) ||
        PyErr_Occurred())
        goto done;
    for (Py_ssize_t i = 0; i < n; i++)
        if (binary_block_check(&blocks[i], d, size))
            goto done;
    binary_job job = {blocks, w.buf, d, z0, inv_n, backward, size};
    Py_BEGIN_ALLOW_THREADS
    run_blocks(binary_block_run, &job, (int)n, n_threads);
    Py_END_ALLOW_THREADS
    double loss, gb;
    int64_t correct;
    if (!blocks_sum(blocks, n, &loss, &gb, &correct))
        result = Py_BuildValue("ddL", loss, gb, (long long)correct);
done:
    blocks_close(blocks, n);
    Py_XDECREF(items);
    PyBuffer_Release(&w);
    return result;
}

/* The window form of one CSR row block: the steps c (quanta), then one pass that
 * writes windows and remainder into room for every nonzero, then that room cut to
 * what was used. */
#define ENCODE(T, SUF)                                                                 \
    do {                                                                               \
        const T *val = data.buf, *mm = m.buf;                                          \
        T *cc = (T *)PyByteArray_AS_STRING(out[0]), *inv = (T *)(scratch + 3 * d);      \
        Py_BEGIN_ALLOW_THREADS                                                         \
        quanta_##SUF(ptr, idx, val, rows, d, mm, scratch, scratch + d,                 \
                     scratch + 2 * d, cc);                                             \
        for (Py_ssize_t j = 0; j < d; j++)                                             \
            inv[j] = cc[j] != 0 ? 1 / cc[j] : 0;                                       \
        memset(PyByteArray_AS_STRING(out[3]), 0, 8 * (size_t)nnz);                     \
        encode_rows_##SUF(ptr, idx, val, rows, mm, cc, inv, wp, rp,                    \
                          (int32_t *)PyByteArray_AS_STRING(out[2]),                    \
                          (uint8_t *)PyByteArray_AS_STRING(out[3]),                    \
                          (int32_t *)PyByteArray_AS_STRING(out[5]),                    \
                          (T *)PyByteArray_AS_STRING(out[6]));                         \
        Py_END_ALLOW_THREADS                                                           \
    } while (0)

static PyObject *
encode_windows(PyObject *self, PyObject *args)
{
    Py_buffer indptr, indices, data, m;
    int size;
    if (!PyArg_ParseTuple(args, "y*y*y*y*i", &indptr, &indices, &data, &m, &size))
        return NULL;
    PyObject *result = NULL, *out[7] = {NULL};
    double *scratch = NULL;
    const Py_ssize_t d = m.len / (size ? size : 1), rows = indptr.len / 8 - 1;
    if ((size != 4 && size != 8) || d < 1 || d >= INT32_MAX - 8 || rows < 0) {
        PyErr_SetString(PyExc_ValueError, "bad item size or shape");
        goto done;
    }
    if (check_len(&m, d, size, "m") || check_csr(&indptr, &indices, &data, rows, size))
        goto done;
    const int64_t *ptr = indptr.buf;
    const int32_t *idx = indices.buf;
    const Py_ssize_t nnz = (Py_ssize_t)ptr[rows];
    for (Py_ssize_t i = 0; i < rows; i++)
        for (int64_t p = ptr[i]; p < ptr[i + 1]; p++)
            if (idx[p] < 0 || idx[p] >= d || (p > ptr[i] && idx[p] <= idx[p - 1])) {
                if (idx[p] < 0 || idx[p] >= d)
                    PyErr_Format(PyExc_ValueError, "column index %d outside 0..%zd",
                                 idx[p], d - 1);
                else
                    PyErr_SetString(PyExc_ValueError,
                                    "column indices not increasing in a row");
                goto done;
            }
    scratch = PyMem_RawMalloc(4 * (size_t)d * sizeof(double));
    if (!scratch) {
        PyErr_NoMemory();
        goto done;
    }
    const Py_ssize_t sizes[7] = {d * size, 8 * (rows + 1), 4 * nnz, 8 * nnz,
                                 8 * (rows + 1), 4 * nnz, size * nnz};
    for (int i = 0; i < 7; i++)
        if (!(out[i] = PyByteArray_FromStringAndSize(NULL, sizes[i])))
            goto done;
    int64_t *wp = (int64_t *)PyByteArray_AS_STRING(out[1]);
    int64_t *rp = (int64_t *)PyByteArray_AS_STRING(out[4]);
    if (size == 4)
        ENCODE(float, f32);
    else
        ENCODE(double, f64);
    const int64_t nw = wp[rows], nr = rp[rows];
    if (PyByteArray_Resize(out[2], 4 * nw) || PyByteArray_Resize(out[3], 8 * nw) ||
        PyByteArray_Resize(out[5], 4 * nr) || PyByteArray_Resize(out[6], size * nr))
        goto done;
    result = Py_BuildValue("(OOOOOOO)", out[0], out[1], out[2], out[3], out[4], out[5],
                           out[6]);
done:
    for (int i = 0; i < 7; i++)
        Py_XDECREF(out[i]);
    PyMem_RawFree(scratch);
    PyBuffer_Release(&indptr);
    PyBuffer_Release(&indices);
    PyBuffer_Release(&data);
    PyBuffer_Release(&m);
    return result;
}
#undef ENCODE

static PyObject *
csr_fill(PyObject *self, PyObject *args)
{
    Py_buffer X, m, indptr, indices, data;
    int size;
    if (!PyArg_ParseTuple(args, "y*y*w*w*w*i", &X, &m, &indptr, &indices, &data, &size))
        return NULL;
    PyObject *result = NULL;
    const Py_ssize_t d = m.len / (size ? size : 1), rows = indptr.len / 8 - 1;
    const Py_ssize_t capacity = indices.len / 4;
    if ((size != 4 && size != 8) || d < 1 || d >= INT32_MAX || rows < 0) {
        PyErr_SetString(PyExc_ValueError, "bad item size or shape");
        goto done;
    }
    if (check_len(&X, rows * d, size, "X") || check_len(&m, d, size, "m") ||
        check_len(&data, capacity, size, "data"))
        goto done;
    int64_t nnz;
    Py_BEGIN_ALLOW_THREADS
    nnz = size == 4 ? csr_fill_f32(X.buf, m.buf, rows, d, capacity, indptr.buf, indices.buf,
                                   data.buf)
                    : csr_fill_f64(X.buf, m.buf, rows, d, capacity, indptr.buf, indices.buf,
                                   data.buf);
    Py_END_ALLOW_THREADS
    result = PyLong_FromLongLong(nnz);
done:
    PyBuffer_Release(&X);
    PyBuffer_Release(&m);
    PyBuffer_Release(&indptr);
    PyBuffer_Release(&indices);
    PyBuffer_Release(&data);
    return result;
}

static PyMethodDef methods[] = {
    {"softmax_epoch", softmax_epoch, METH_VARARGS,
     "softmax_epoch(blocks, W, z0, k, kp, inv_n, backward, itemsize, n_threads) -> "
     "(loss sum, correct), summed over the blocks, each a tuple (indptr, indices, data, "
     "labels, G, gb): rows of CSR S, logits S W + z0; adds the block's Sᵀ D to its G "
     "and 1ᵀ D to its gb (D = (softmax - onehot) * inv_n) when backward. The blocks run "
     "on n_threads OpenMP threads (0: OpenMP's default)."},
    {"binary_epoch", binary_epoch, METH_VARARGS,
     "binary_epoch(blocks, w, z0, inv_n, backward, itemsize, n_threads) -> (loss sum, "
     "Σ dz, correct), summed over the blocks, each a tuple (c, wptr, wcol, codes, rptr, "
     "rind, rval, targets, g): rows of S in window form (encode_windows), logits "
     "S w + z0; adds the block's Sᵀ dz to its g when backward. The blocks run on "
     "n_threads OpenMP threads (0: OpenMP's default)."},
    {"encode_windows", encode_windows, METH_VARARGS,
     "encode_windows(indptr, indices, data, m, itemsize) -> (c, wptr, wcol, codes, rptr, "
     "rind, rval) as bytearrays: a CSR block of S = X - m (sorted column indices) in "
     "window form: eight-column windows of codes q with S = q c[column], the other "
     "nonzeros as CSR."},
    {"csr_fill", csr_fill, METH_VARARGS,
     "csr_fill(X, m, indptr, indices, data, itemsize) -> nnz: S = X - m in CSR form "
     "(X (rows, d) C-contiguous; indptr int64 (rows + 1,), indices int32 and data as "
     "long as the nonzeros, or longer). One pass; returns the nonzeros' count, and if "
     "it is more than len(indices) only indptr is complete: call again that long."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_fused",
    "Fused full-batch cross-entropy epochs over a CSR design (see compiled.py).", -1,
    methods,
};

PyMODINIT_FUNC
PyInit__fused(void)
{
#ifdef _OPENMP
    if (pthread_atfork(NULL, NULL, after_fork_in_child)) {
        PyErr_SetString(PyExc_OSError, "pthread_atfork failed");
        return NULL;
    }
#endif
    return PyModule_Create(&module);
}
