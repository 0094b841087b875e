/* A few worker threads that run one job's tasks beside the caller, for _fused.c.
 *
 * Why: the binary epoch's row blocks take about 0.4 ms each on MNIST pairs; handing
 * one to a Python pool thread and collecting it costs ~50 µs, an eighth of the work,
 * on every pass. Here the caller publishes a job (a function and a task count), takes
 * tasks itself, and helpers that spin for a moment after their last task pick the
 * rest up within a microsecond; idle longer than SPIN_NS, they sleep on a condition
 * variable. Tasks are claimed with one atomic compare-and-swap on a ticket holding
 * (job number, next task), so a helper that wakes late cannot take a task of a job
 * that has moved on. One job at a time: a second caller (another Python thread) that
 * finds the pool busy runs its tasks itself. After fork() the child starts without
 * helpers. Without POSIX threads, every job runs on the caller.
 */
#if defined(__unix__) || defined(__APPLE__)
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#define POOL_THREADS 1
#else
#define POOL_THREADS 0
#endif

typedef void (*pool_task)(void *ctx, int task);

#if POOL_THREADS
#define POOL_MAX_HELPERS 63
#define SPIN_NS 300000 /* a pass's Python work between two jobs is ~50-100 µs */

static struct {
    pthread_mutex_t submit; /* one job at a time */
    pthread_mutex_t mu;     /* with cv: sleeping helpers */
    pthread_cond_t cv;
    _Atomic uint64_t ticket; /* job number << 32 | next task */
    atomic_int done;         /* tasks of the current job finished */
    atomic_int sleeping;     /* helpers waiting on cv */
    pool_task run;           /* the current job, written before its ticket */
    void *ctx;
    atomic_int n_tasks;      /* atomic: a late helper may read it as the next is set */
    int helpers;
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER};

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Take and run tasks of job `job` until none is left. */
static void
pool_work(uint32_t job)
{
    uint64_t t = atomic_load(&pool.ticket);
    while ((uint32_t)(t >> 32) == job &&
           (uint32_t)t < (uint32_t)atomic_load(&pool.n_tasks)) {
        if (atomic_compare_exchange_weak(&pool.ticket, &t, t + 1)) {
            /* our task is not done, so the job (run, ctx) is still this one */
            pool.run(pool.ctx, (int)(uint32_t)t);
            atomic_fetch_add(&pool.done, 1);
            t = atomic_load(&pool.ticket);
        }
    }
}

static int64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *
pool_helper(void *unused)
{
    (void)unused;
    uint32_t seen = (uint32_t)(atomic_load(&pool.ticket) >> 32);
    for (;;) {
        const int64_t since = now_ns();
        for (int spins = 0; (uint32_t)(atomic_load(&pool.ticket) >> 32) == seen; spins++) {
            cpu_relax();
            if (spins % 64 == 63 && now_ns() - since > SPIN_NS) {
                pthread_mutex_lock(&pool.mu);
                atomic_fetch_add(&pool.sleeping, 1); /* then look again: see pool_run */
                while ((uint32_t)(atomic_load(&pool.ticket) >> 32) == seen)
                    pthread_cond_wait(&pool.cv, &pool.mu);
                atomic_fetch_sub(&pool.sleeping, 1);
                pthread_mutex_unlock(&pool.mu);
            }
        }
        seen = (uint32_t)(atomic_load(&pool.ticket) >> 32);
        pool_work(seen);
    }
    return NULL;
}

static void
pool_after_fork(void)
{
    pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t fresh_cv = PTHREAD_COND_INITIALIZER;
    pool.submit = pool.mu = fresh;
    pool.cv = fresh_cv;
    pool.helpers = 0;
    atomic_store(&pool.sleeping, 0);
}

/* Start helpers up to `wanted` (under pool.submit); fewer if the system refuses. */
static void
pool_grow(int wanted)
{
    static int registered;
    if (!registered)
        registered = pthread_atfork(NULL, NULL, pool_after_fork) == 0;
    for (; pool.helpers < wanted && pool.helpers < POOL_MAX_HELPERS; pool.helpers++) {
        pthread_t thread;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        const int failed = pthread_create(&thread, &attr, pool_helper, NULL);
        pthread_attr_destroy(&attr);
        if (failed)
            break;
    }
}
#endif

/* run(ctx, i) for i in 0..n_tasks-1 on the caller and up to n_threads - 1 helpers;
 * returns when all are done. Call without the GIL. */
static void
pool_run(pool_task run, void *ctx, int n_tasks, int n_threads)
{
#if POOL_THREADS
    if (n_tasks > 1 && n_threads > 1 && pthread_mutex_trylock(&pool.submit) == 0) {
        pool_grow(n_threads - 1);
        if (pool.helpers > 0) {
            pool.run = run;
            pool.ctx = ctx;
            atomic_store(&pool.n_tasks, n_tasks);
            atomic_store(&pool.done, 0);
            const uint32_t job = (uint32_t)(atomic_load(&pool.ticket) >> 32) + 1;
            atomic_store(&pool.ticket, (uint64_t)job << 32); /* publish */
            if (atomic_load(&pool.sleeping) > 0) {
                pthread_mutex_lock(&pool.mu);
                pthread_cond_broadcast(&pool.cv);
                pthread_mutex_unlock(&pool.mu);
            }
            pool_work(job);
            while (atomic_load(&pool.done) < n_tasks)
                cpu_relax();
            pthread_mutex_unlock(&pool.submit);
            return;
        }
        pthread_mutex_unlock(&pool.submit);
    }
#else
    (void)n_threads;
#endif
    for (int i = 0; i < n_tasks; i++)
        run(ctx, i);
}
