// movelock: what moving a file out of a folder costs when someone else is moving files into it.
//
//   cc -O2 -o out/movelock bench/movelock.c && out/movelock [FILES] [DIR] [BYTES]
//
// Three ways to take a file out of a folder on the same file system: one `rename` into another
// folder; `link` into the other folder then `unlink` from the first (what inboxd does); or `pack`:
// read the file, append its bytes to one pack file, `unlink` it (what an archive kept as a pack
// file instead of a folder would do: the last name goes, so its inode and blocks are freed).
// For each, three runs on fresh folders under DIR (default /tmp), FILES files of BYTES bytes each
// (default 10,000 files of 16 bytes; the generated corpus averages 3,700):
//   alone     one process moves its files;
//   two       two processes each move their own files between their own folders, at once;
//   dropper   one process renames files into an inbox (as a user or e2e.py does) while another
//             moves each one out as soon as it is in (as the daemon does).
// Prints one JSON object per run: wall seconds and µs per move for each process. If moves from
// different folders did not wait for each other, `two` would take as long as `alone`.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

// CPU seconds of this process, user + system: a move may also wait (for a lock, for the disk).
static double cpu(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

static void die(const char *what, const char *path) {
    fprintf(stderr, "movelock: %s %s: %s\n", what, path, strerror(errno));
    exit(1);
}

static void folder(const char *path) {
    if (mkdir(path, 0755) != 0 && errno != EEXIST) die("mkdir", path);
}

enum method { RENAME, LINK, PACK };
static const char *method_names[] = {"rename", "link+unlink", "pack+unlink"};

static char *content;
static size_t content_bytes;

static void fill(const char *dir, int files) {
    char path[4096];
    for (int i = 0; i < files; i++) {
        snprintf(path, sizeof path, "%s/article-%06d.txt", dir, i);
        int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
        if (fd < 0) die("create", path);
        if (write(fd, content, content_bytes) != (ssize_t)content_bytes) die("write", path);
        close(fd);
    }
}

// The pack file of the process that moves files (opened in the child, O_APPEND).
static int pack_fd = -1;

static void move(const char *from, const char *to, int i, enum method how) {
    char a[4096], b[4096];
    snprintf(a, sizeof a, "%s/article-%06d.txt", from, i);
    snprintf(b, sizeof b, "%s/article-%06d.txt", to, i);
    if (how == LINK) {
        if (link(a, b) != 0) die("link", a);
        if (unlink(a) != 0) die("unlink", a);
    } else if (how == PACK) {
        static char buffer[1 << 20];
        int fd = open(a, O_RDONLY | O_CLOEXEC);
        if (fd < 0) die("open", a);
        ssize_t n = read(fd, buffer, sizeof buffer);
        if (n < 0) die("read", a);
        close(fd);
        if (write(pack_fd, buffer, (size_t)n) != n) die("append to the pack of", to);
        if (unlink(a) != 0) die("unlink", a);
    } else if (rename(a, b) != 0) {
        die("rename", a);
    }
}

// Each process writes its µs per move here (wall, then CPU at [2 + k]); the parent prints them.
static double *results;
static atomic_int *dropped;

static void run(const char *root, const char *scenario, enum method how, int files) {
    char base[4000], src[2][4096], dst[2][4096];
    snprintf(base, sizeof base, "%s/movelock.%d.%s.%d", root, (int)getpid(), scenario, (int)how);
    folder(base);
    int movers = strcmp(scenario, "alone") == 0 ? 1 : 2;
    for (int k = 0; k < 2; k++) {
        snprintf(src[k], sizeof src[k], "%s/src%d", base, k);
        snprintf(dst[k], sizeof dst[k], "%s/dst%d", base, k);
        folder(src[k]);
        folder(dst[k]);
    }
    int dropper = strcmp(scenario, "dropper") == 0;
    // dropper: src0 = stage -> dst0 = inbox (always by rename), then dst0 -> dst1 = archive.
    fill(src[0], files);
    if (movers == 2 && !dropper) fill(src[1], files);
    sync();
    atomic_store(dropped, 0);
    double start = now();
    for (int k = 0; k < movers; k++) {
        if (fork() == 0) {
            if (how == PACK) {
                char pack[4096];
                snprintf(pack, sizeof pack, "%s/pack", dst[dropper ? 1 : k]);
                pack_fd = open(pack, O_CREAT | O_WRONLY | O_APPEND | O_CLOEXEC, 0644);
                if (pack_fd < 0) die("create", pack);
            }
            double t = now(), c = cpu();
            for (int i = 0; i < files; i++) {
                if (dropper && k == 0) {
                    move(src[0], dst[0], i, RENAME);
                    atomic_store(dropped, i + 1);
                } else if (dropper) {
                    while (atomic_load(dropped) <= i) usleep(50);
                    move(dst[0], dst[1], i, how);
                } else {
                    move(src[k], dst[k], i, how);
                }
            }
            results[k] = (now() - t) / files * 1e6;
            results[2 + k] = (cpu() - c) / files * 1e6;
            _exit(0);
        }
    }
    int status;
    while (wait(&status) > 0) {
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) exit(1);
    }
    double wall = now() - start;
    printf("{\"scenario\":\"%s\",\"move\":\"%s\",\"files\":%d,\"bytes\":%zu,\"wall_s\":%.3f", scenario, method_names[how], files,
           content_bytes, wall);
    if (dropper) {
        printf(",\"dropper_us_per_rename\":%.1f,\"mover_us_per_move\":%.1f,\"mover_cpu_us_per_move\":%.1f}\n", results[0], results[1],
               results[3]);
    } else {
        printf(",\"us_per_move\":[%.1f%s", results[0], movers == 2 ? "," : "");
        if (movers == 2) printf("%.1f", results[1]);
        printf("],\"cpu_us_per_move\":[%.1f%s", results[2], movers == 2 ? "," : "");
        if (movers == 2) printf("%.1f", results[3]);
        printf("]}\n");
    }
    fflush(stdout);
    char command[8192];
    snprintf(command, sizeof command, "rm -rf '%s'", base);
    if (system(command) != 0) fprintf(stderr, "movelock: could not remove %s\n", base);
}

int main(int argc, char **argv) {
    int files = argc > 1 ? atoi(argv[1]) : 10000;
    const char *root = argc > 2 ? argv[2] : "/tmp";
    long bytes = argc > 3 ? atol(argv[3]) : 16;
    if (files <= 0 || bytes <= 0 || bytes > (1 << 20)) {
        fprintf(stderr, "usage: movelock [FILES] [DIR] [BYTES (1 to 1048576)]\n");
        return 2;
    }
    content_bytes = (size_t)bytes;
    content = malloc(content_bytes);
    if (!content) die("allocate", "the file content");
    for (size_t i = 0; i < content_bytes; i++) content[i] = i % 64 == 63 ? '\n' : 'a' + (char)(i % 26);
    results = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    dropped = (atomic_int *)(results + 8);
    const char *scenarios[] = {"alone", "two", "dropper"};
    for (int s = 0; s < 3; s++) {
        for (int how = RENAME; how <= PACK; how++) run(root, scenarios[s], (enum method)how, files);
    }
    return 0;
}
