#!/usr/bin/env python3
"""Interleaved bursts of two or more inboxd builds: which one uses less CPU per file?

    bench/compare.py [--reps 16] [--corpus out/bench/corpus-10000-s1] NAME=BINDIR NAME=BINDIR ...

Each rep drops the whole corpus once into each build in turn (a fresh state folder each time,
log_level = warning, the files renamed in from a staging folder as in `make bench`) and reads
the daemon's CPU time (user + system, every thread, from /proc/PID/stat) and minor page faults
around the burst. Going round the builds rep by rep puts the same minutes of a noisy machine
on each of them: on a VM whose speed swings within the hour, 5 % needs 10 to 16 reps. Prints
every rep, then per build the medians of CPU per file, faults per file and files/s, and, for
each build after the first, in how many reps it used less CPU than the first.

The corpus is the one `make bench` generates (`make bench BENCH_FLAGS="--only core"` is enough
to create it); BINDIR holds `inboxd`, e.g. `.build-release/release` of two checkouts.
"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as R  # noqa: E402  (the same daemon, staging and drop helpers as `make bench`)


def cpu_and_faults(pid):
    """(CPU seconds, minor faults) of a process, all its threads, from /proc/PID/stat."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / R.CLK_TCK, int(fields[7])


def burst(bindir, corpus, names, tmp):
    base = tempfile.mkdtemp(prefix="compare.", dir=tmp)
    try:
        R.stage(corpus, names, os.path.join(base, "stage"))
        daemon = R.Daemon(bindir, base)
        try:
            daemon.wait_ready_http()
            cpu0, faults0 = cpu_and_faults(daemon.pid)
            t0, _, t1 = R.drop_and_wait(os.path.join(base, "stage"), names, daemon.inbox)
            cpu1, faults1 = cpu_and_faults(daemon.pid)
        finally:
            daemon.stop()
    finally:
        shutil.rmtree(base, ignore_errors=True)
    n = len(names)
    return {"cpu_us": (cpu1 - cpu0) * 1e6 / n, "faults": (faults1 - faults0) / n, "files_per_s": n / (t1 - t0)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("builds", nargs="+", metavar="NAME=BINDIR")
    ap.add_argument("--reps", type=int, default=16)
    ap.add_argument("--corpus", default=os.path.join(R.ROOT, "out", "bench", "corpus-10000-s1"))
    ap.add_argument("--tmp", default="/tmp", help="where the runs' folders go (same file system for renames)")
    a = ap.parse_args()
    builds = []
    for spec in a.builds:
        name, sep, bindir = spec.partition("=")
        if not sep or not os.access(os.path.join(bindir, "inboxd"), os.X_OK):
            ap.error("%r: expected NAME=BINDIR with an executable BINDIR/inboxd" % spec)
        builds.append((name, bindir))
    if not os.path.exists(os.path.join(a.corpus, "manifest.json")):
        ap.error("no corpus at %s: `make bench BENCH_FLAGS=\"--only core\"` generates it" % a.corpus)
    names = R.corpus_names(a.corpus)
    results = {name: [] for name, _ in builds}
    for rep in range(a.reps):
        for name, bindir in builds:
            r = burst(bindir, a.corpus, names, a.tmp)
            results[name].append(r)
            print("rep %2d  %-12s %6.1f us CPU per file  %.2f faults per file  %7.0f files/s"
                  % (rep + 1, name, r["cpu_us"], r["faults"], r["files_per_s"]), flush=True)
    first = builds[0][0]
    print()
    for name, _ in builds:
        rs = results[name]
        line = "%-12s CPU per file median %6.1f us  faults %.2f  files/s median %7.0f" % (
            name, statistics.median(r["cpu_us"] for r in rs), statistics.median(r["faults"] for r in rs),
            statistics.median(r["files_per_s"] for r in rs))
        if name != first:
            lower = sum(1 for r, f in zip(rs, results[first]) if r["cpu_us"] < f["cpu_us"])
            line += "  (less CPU than %s in %d of %d reps)" % (first, lower, len(rs))
        print(line)


if __name__ == "__main__":
    main()
