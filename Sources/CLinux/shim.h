#ifndef INBOXD_CLINUX_SHIM_H
#define INBOXD_CLINUX_SHIM_H
// Linux calls that Swift's Glibc module does not import (variadic syscall(), GNU-only flags).
#include <sys/syscall.h>
#include <unistd.h>
#include <fcntl.h>
#include <errno.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <malloc.h>

/// O_NOATIME (fcntl.h declares it only under _GNU_SOURCE; the value is the same on every Linux architecture but alpha/sparc/parisc).
#ifdef O_NOATIME
#define INBOXD_O_NOATIME O_NOATIME
#else
#define INBOXD_O_NOATIME 01000000
#endif

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif

/// rename that fails with EEXIST instead of replacing the target: a file is never overwritten.
static inline int inboxd_rename_noreplace(int olddirfd, const char *oldpath, int newdirfd, const char *newpath) {
    return (int)syscall(SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, RENAME_NOREPLACE);
}

static inline int inboxd_open_nofollow_read(int dirfd, const char *name) {
    return openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
}

static inline int inboxd_open_dir(const char *path) {
    return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static inline int inboxd_errno(void) { return errno; }

/// Names the calling thread (shown by top -H and /proc/PID/task/TID/comm); prctl is variadic.
static inline int inboxd_set_thread_name(const char *name) {
    return prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
}

/// glibc malloc: keep up to `trim` bytes free at an arena's top instead of returning it to the
/// kernel, grow an arena by `pad` bytes more than asked, and serve blocks below `mmap_threshold`
/// from the arenas rather than from fresh mappings (malloc.h is not in Swift's Glibc).
static inline void inboxd_malloc_keep(int trim, int pad, int mmap_threshold) {
    mallopt(M_TRIM_THRESHOLD, trim);
    mallopt(M_TOP_PAD, pad);
    mallopt(M_MMAP_THRESHOLD, mmap_threshold);
}

/// Asks the scheduler for a shorter time slice for the calling thread (Linux 6.12+ EEVDF: a task
/// with a shorter slice gets an earlier deadline, so it preempts a running task as soon as it
/// wakes). Keeps the thread's policy and nice value. Older kernels ignore the request for normal
/// threads. Returns 0 or -1 with errno.
struct inboxd_sched_attr {
    unsigned int size;
    unsigned int sched_policy;
    unsigned long long sched_flags;
    int sched_nice;
    unsigned int sched_priority;
    unsigned long long sched_runtime;
    unsigned long long sched_deadline;
    unsigned long long sched_period;
};

static inline int inboxd_request_slice(unsigned long long nanoseconds) {
#if defined(SYS_sched_getattr) && defined(SYS_sched_setattr)
    struct inboxd_sched_attr attr = {0};
    if (syscall(SYS_sched_getattr, 0, &attr, (unsigned int)sizeof attr, 0) != 0) return -1;
    attr.size = sizeof attr;
    attr.sched_flags = 0;
    attr.sched_runtime = nanoseconds;
    return (int)syscall(SYS_sched_setattr, 0, &attr, 0);
#else
    errno = ENOSYS;
    return -1;
#endif
}

/// Layout of `struct ucred` (SO_PEERCRED), which glibc only declares under _GNU_SOURCE.
struct inboxd_ucred {
    pid_t pid;
    uid_t uid;
    gid_t gid;
};
#define INBOXD_SO_PEERCRED 17
#endif
