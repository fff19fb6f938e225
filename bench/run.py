#!/usr/bin/env python3
"""inboxd benchmarks: one command, one table (python3, stdlib only).

    bench/run.py [--quick] [--only SECTION ...] [--bin-dir DIR] [--shared ../shared] [--out out/bench]
    bench/run.py --smoke --bin-dir DIR      correctness only, small, for CI (no timing assertions)

Full run (what `make bench` does), in this order:
  build    swift build -c release --scratch-path .build-release (skipped with --bin-dir)
  corpus   make_corpus.py (10,000 articles, seed 1, --seeds-dir seeds), cached in OUT/corpus-N-s1
  e2e      ../shared/bench/run_bench.py: floor, floor_append, watchdog, watchdog_nodelay,
           inotify_jq, inotify_printf and inboxd (log_level = warning) and inboxd_info (default
           level) as subjects, interleaved, --reps 3 bursts of the whole corpus, then trickle
           200 files/s for 10 s (OUT/e2e/)
  scale    storegen: build stores of 1k / 100k / 1M articles, load each 3 times (time, RSS of a
           fresh process), append 1,000 articles 3 times (us per article, fsync included); the
           loads and appends go round the sizes in turn
  daemon_scale  two daemons side by side: an empty state, and one whose store (storegen) and
           archive folder hold 1M articles (--quick: 100k); once both search indexes are
           complete, 3 slices of 10,000 files of the search corpus into each, interleaved:
           daemon CPU per file (schedstat, every thread), files/s, readiness, RSS
  idle     inboxd on an empty inbox, supervised through a NOTIFY_SOCKET of ours (readiness from
           READY=1, so no API client ever connects): CPU time and context switches of every
           thread from /proc over 60 s; again with WATCHDOG_USEC=10 s, counting the pings
  api      GET /v1/status round trips on one keep-alive connection, tight loop: idle, then while
           the whole corpus is dropped at once; then GET /v1/search on the daemon holding it
  profile  one burst with no API client: wall time vs the daemon's CPU per thread (on CPU,
           waiting for a CPU, blocked: /proc/*/schedstat), /proc io; one burst under
           `strace -f -c -w`: syscalls and fsyncs per file, wall time spent in them
  core     corebench on the corpus files next to ../shared/corpus/normalize.py on the same bytes
  search   searchbench on a 100,000-article corpus (generated and cached like the other)
Writes OUT/summary.md (the table) and OUT/summary.json (the table's figures and every raw
result); --only reruns some sections and merges them into the existing summary; --table only
rewrites summary.md from summary.json.
--quick: 2,000-article corpus, 1 rep, trickle 5 s, stores 1k / 10k / 100k, idle 15 s, search at 10k.
"""
import argparse
import contextlib
import datetime
import json
import multiprocessing
import os
import platform
import resource
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECTIONS = ["e2e", "scale", "daemon_scale", "idle", "api", "profile", "core", "search"]
T_START = time.monotonic()
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(msg):
    print("[%6.0fs] %s" % (time.monotonic() - T_START, msg), flush=True)


class Failure(Exception):
    pass


def med(values):
    values = [v for v in values if isinstance(v, (int, float))]
    return statistics.median(values) if values else None


def pct(sorted_values, q):
    """Nearest-rank percentile (q in 0..100) of an already sorted list."""
    if not sorted_values:
        return None
    k = min(len(sorted_values) - 1, max(0, int(round(q / 100.0 * (len(sorted_values) - 1)))))
    return sorted_values[k]


def rnd(v, places=2):
    return None if v is None else round(v, places)


def run(cmd, timeout=None, check=True, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout, **kw)
    if check and p.returncode != 0:
        raise Failure("%s failed (rc=%d): %s" % (" ".join(map(str, cmd)), p.returncode, (p.stderr or p.stdout)[-800:]))
    return p


def last_json(text):
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise Failure("no JSON line in output: %r" % text[-500:])


# ---------------------------------------------------------------------------------------------
# /proc sampling


def proc_threads(pid):
    """{tid: {comm, cpu_s, vol, invol}} for every thread of pid."""
    out = {}
    base = "/proc/%d/task" % pid
    try:
        tids = os.listdir(base)
    except OSError:
        return out
    for tid in tids:
        try:
            with open("%s/%s/stat" % (base, tid)) as f:
                stat = f.read()
            with open("%s/%s/status" % (base, tid)) as f:
                status = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        rest = stat[stat.rindex(")") + 2:].split()
        utime, stime = int(rest[11]), int(rest[12])
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        try:
            with open("%s/%s/schedstat" % (base, tid)) as f:
                sched = f.read().split()
                run_ns, runq_ns = int(sched[0]), int(sched[1])   # on CPU; runnable but waiting for a CPU
        except (OSError, ValueError, IndexError):
            run_ns = runq_ns = 0
        out[int(tid)] = {"comm": comm, "utime": utime / CLK_TCK, "stime": stime / CLK_TCK, "run_ns": run_ns, "runq_ns": runq_ns,
                         "vol": int(fields.get("voluntary_ctxt_switches", "0")),
                         "invol": int(fields.get("nonvoluntary_ctxt_switches", "0"))}
    return out


def proc_process(pid):
    """Process-wide utime/stime (all threads, live and exited), RSS, io counters."""
    with open("/proc/%d/stat" % pid) as f:
        stat = f.read()
    rest = stat[stat.rindex(")") + 2:].split()
    res = {"utime": int(rest[11]) / CLK_TCK, "stime": int(rest[12]) / CLK_TCK, "threads": int(rest[17])}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    res[line.split(":")[0]] = int(line.split()[1]) / 1024.0
        with open("/proc/%d/io" % pid) as f:
            for line in f:
                k, v = line.split(":")
                res["io_" + k] = int(v)
    except OSError:
        pass
    return res


def machine_cpu():
    """(busy, idle) CPU seconds of the whole machine so far, all cores, from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]                     # idle + iowait
    return (sum(fields[:8]) - idle) / CLK_TCK, idle / CLK_TCK


def thread_delta(before, after):
    """Per thread name (NIO threads summed): cpu seconds and voluntary/involuntary switches."""
    out = {}
    for tid, a in after.items():
        b = before.get(tid, {"utime": 0, "stime": 0, "run_ns": 0, "runq_ns": 0, "vol": 0, "invol": 0})
        name = a["comm"]
        d = out.setdefault(name, {"threads": 0, "cpu_s": 0.0, "run_ms": 0.0, "runq_ms": 0.0, "voluntary": 0,
                                  "involuntary": 0})
        d["threads"] += 1
        d["runq_ms"] = round(d["runq_ms"] + (a["runq_ns"] - b["runq_ns"]) / 1e6, 3)
        d["run_ms"] = round(d["run_ms"] + (a["run_ns"] - b["run_ns"]) / 1e6, 3)
        d["cpu_s"] = round(d["cpu_s"] + (a["utime"] - b["utime"]) + (a["stime"] - b["stime"]), 3)
        d["voluntary"] += a["vol"] - b["vol"]
        d["involuntary"] += a["invol"] - b["invol"]
    return out


# ---------------------------------------------------------------------------------------------
# The daemon and its API


class HTTP:
    """HTTP/1.1 over the Unix socket, one keep-alive connection (reconnects when closed)."""

    def __init__(self, path):
        self.path = path
        self.sock = None
        self.buf = b""

    def close(self):
        if self.sock:
            self.sock.close()
        self.sock, self.buf = None, b""

    def _recv(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("closed by the daemon")
        self.buf += data

    def get(self, target, _retry=True):
        try:
            if self.sock is None:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(self.path)
            self.sock.sendall(("GET %s HTTP/1.1\r\nHost: inboxd\r\n\r\n" % target).encode())
            while b"\r\n\r\n" not in self.buf:
                self._recv()
            head, self.buf = self.buf.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split()[1])
            headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:] if ":" in l)}
            if "content-length" in headers:
                n = int(headers["content-length"])
                while len(self.buf) < n:
                    self._recv()
                body, self.buf = self.buf[:n], self.buf[n:]
            elif headers.get("transfer-encoding", "").lower() == "chunked":
                body = b""
                while True:
                    while b"\r\n" not in self.buf:
                        self._recv()
                    size_line, self.buf = self.buf.split(b"\r\n", 1)
                    size = int(size_line.split(b";")[0], 16)
                    while len(self.buf) < size + 2:
                        self._recv()
                    body, self.buf = body + self.buf[:size], self.buf[size + 2:]
                    if size == 0:
                        break
            else:
                body = b""
            if headers.get("connection", "").lower() == "close":
                self.close()
            return status, body
        except (ConnectionError, OSError):
            self.close()
            if not _retry:
                raise
            return self.get(target, _retry=False)


class NotifySocket:
    """A NOTIFY_SOCKET of our own: records every sd_notify datagram with its arrival time."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.2)
        self.messages = []   # (monotonic, text)
        self.cond = threading.Condition()
        self.halt = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        while not self.halt:
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            with self.cond:
                self.messages.append((time.monotonic(), data.decode("utf-8", "replace")))
                self.cond.notify_all()

    def wait_for(self, needle, timeout):
        deadline = time.monotonic() + timeout
        with self.cond:
            while not any(needle in m for _, m in self.messages):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(left)
        return True

    def count(self, needle, t0, t1):
        with self.cond:
            return sum(1 for t, m in self.messages if t0 <= t < t1 and needle in m)

    def close(self):
        self.halt = True
        self.thread.join(1)
        self.sock.close()


class Daemon:
    """inboxd on a fresh state folder under `base`; stopped with SIGTERM (SIGKILL after 10 s)."""

    def __init__(self, bindir, base, log_level="warning", env_extra=None, wrapper=None):
        self.base = base
        self.inbox = os.path.join(base, "inbox")
        self.state = os.path.join(base, "state")
        self.sock = os.path.join(base, "sock")
        os.makedirs(self.inbox, exist_ok=True)
        cmd = [os.path.join(bindir, "inboxd"), "--inbox", self.inbox, "--state", self.state, "--socket", self.sock]
        if log_level:
            conf = os.path.join(base, "inboxd.conf")
            with open(conf, "w") as f:
                f.write("log_level = %s\n" % log_level)
            cmd += ["--config", conf]
        env = dict(os.environ)
        for k in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID"):
            env.pop(k, None)
        env.update(env_extra or {})
        self.stderr_path = os.path.join(base, "inboxd.stderr")
        self.stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen((wrapper or []) + cmd, stdin=subprocess.DEVNULL, stdout=self.stderr,
                                     stderr=self.stderr, env=env, start_new_session=True)
        self.pid = self.proc.pid   # the daemon's own pid (see daemon_pid for wrapped runs)

    def daemon_pid(self, timeout=10):
        """The inboxd process: the child itself, or (under a wrapper such as strace) its child."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with open("/proc/%d/comm" % self.proc.pid) as f:
                    if f.read().strip() == "inboxd":
                        return self.proc.pid
                with open("/proc/%d/task/%d/children" % (self.proc.pid, self.proc.pid)) as f:
                    kids = [int(x) for x in f.read().split()]
                for k in kids:
                    with open("/proc/%d/comm" % k) as f:
                        if f.read().strip() == "inboxd":
                            return k
            except OSError:
                pass
            time.sleep(0.02)
        raise Failure("inboxd process not found")

    def wait_ready_http(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Failure("inboxd exited (rc=%s): %s" % (self.proc.returncode, self.tail()))
            if os.path.exists(self.sock):
                c = HTTP(self.sock)
                try:
                    st, body = c.get("/v1/status")
                    if st == 200 and json.loads(body).get("state") == "ready":
                        return
                except (OSError, ValueError):
                    pass
                finally:
                    c.close()
            time.sleep(0.02)
        raise Failure("inboxd not ready after %d s: %s" % (timeout, self.tail()))

    def tail(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read()[-600:].decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self, pid=None):
        """SIGTERM to the daemon (pid, default its process group), SIGKILL to the group after 10 s."""
        if self.proc.poll() is None:
            try:
                if pid:
                    os.kill(pid, signal.SIGTERM)
                else:
                    os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)   # anything left in the group
        except ProcessLookupError:
            pass
        self.stderr.close()
        return self.proc.returncode


def regular_files(d):
    n = 0
    with os.scandir(d) as it:
        for e in it:
            if e.is_file(follow_symlinks=False):
                n += 1
    return n


def corpus_names(corpus):
    with open(os.path.join(corpus, "manifest.json"), encoding="utf-8") as f:
        return list(json.load(f)["files"])


def stage(corpus, names, stage_dir):
    """Hard links (same file system) or copies of the corpus files, not timed."""
    os.makedirs(stage_dir, exist_ok=True)
    for n in names:
        src, dst = os.path.join(corpus, "files", n), os.path.join(stage_dir, n)
        try:
            os.link(src, dst)
        except OSError:
            shutil.copyfile(src, dst)
    os.sync()


def drop_and_wait(stage_dir, names, inbox, timeout=900, on_drop_done=None):
    """Renames every staged file into the inbox (manifest order); returns (t0, t_dropped, t_empty)."""
    t0 = time.monotonic()
    for n in names:
        os.rename(os.path.join(stage_dir, n), os.path.join(inbox, n))
    t_dropped = time.monotonic()
    if on_drop_done:
        on_drop_done()
    while regular_files(inbox) > 0:
        if time.monotonic() - t0 > timeout:
            raise Failure("inbox not drained after %d s" % timeout)
        time.sleep(0.01)
    return t0, t_dropped, time.monotonic()


# ---------------------------------------------------------------------------------------------
# Sections


class Bench:
    def __init__(self, a):
        self.a = a
        self.out = os.path.abspath(a.out)
        self.shared = os.path.abspath(a.shared)
        os.makedirs(self.out, exist_ok=True)
        self.tmp = a.tmp
        self.bin = None
        q = a.quick
        self.articles = a.articles or (2000 if q else 10000)
        self.reps = a.reps or (1 if q else 3)
        self.trickle_seconds = 5 if q else 10
        self.store_sizes = [1000, 10000, 100000] if q else [1000, 100000, 1000000]
        self.idle_seconds = a.idle_seconds or (15 if q else 60)
        self.search_articles = 0 if q else 100000   # 0: the main corpus

    # -- build and corpus --------------------------------------------------------------------
    def build(self):
        if self.a.bin_dir:
            self.bin = os.path.abspath(self.a.bin_dir)
        else:
            log("building release binaries (swift build -c release --scratch-path .build-release)")
            cmd = [self.a.swift, "build", "-c", "release", "--scratch-path", ".build-release"]
            p = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            with open(os.path.join(self.out, "build.log"), "w") as f:
                f.write(p.stdout)
            if p.returncode != 0:
                raise Failure("release build failed, see %s/build.log:\n%s" % (self.out, p.stdout[-1500:]))
            self.bin = run(cmd + ["--show-bin-path"], cwd=ROOT).stdout.strip()
        for exe in ("inboxd", "inboxctl", "corebench", "storegen", "searchbench"):
            if not os.access(os.path.join(self.bin, exe), os.X_OK):
                raise Failure("%s/%s is missing (build the package first)" % (self.bin, exe))
        log("binaries: %s" % self.bin)

    def corpus(self, n, seed=1):
        path = os.path.join(self.out, "corpus-%d-s%d" % (n, seed))
        if os.path.exists(os.path.join(path, "manifest.json")) and \
                len(os.listdir(os.path.join(path, "files"))) == n:
            return path
        log("generating the corpus: %d articles, seed %d -> %s" % (n, seed, path))
        tmp = path + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(path, ignore_errors=True)
        run([sys.executable, os.path.join(self.shared, "corpus", "make_corpus.py"), tmp, "--articles", str(n),
             "--seed", str(seed), "--seeds-dir", os.path.join(ROOT, "seeds")])
        os.rename(tmp, path)
        return path

    def daemon_cmd(self, config):
        cmd = "%s --inbox {inbox} --state {store} --socket {run}/sock" % shlex.quote(os.path.join(self.bin, "inboxd"))
        return cmd + (" --config " + shlex.quote(config) if config else "")

    # -- e2e: run_bench.py with the peers ----------------------------------------------------
    def e2e(self, corpus):
        out = os.path.join(self.out, "e2e")
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        conf = os.path.join(self.out, "inboxd-warning.conf")
        with open(conf, "w") as f:
            f.write("log_level = warning\n")
        ctl = shlex.quote(os.path.join(self.bin, "inboxctl"))
        ready = "%s --socket {run}/sock status --json | grep -q '\"ready\"'" % ctl
        dump = "%s --socket {run}/sock list --json" % ctl
        cmd = [sys.executable, os.path.join(self.shared, "bench", "run_bench.py"), "--corpus", corpus,
               "--reps", str(self.reps), "--out", out, "--floor", os.path.join(self.out, "floor"),
               "--trickle-rate", "200", "--trickle-seconds", str(self.trickle_seconds),
               "--trickle-reps", str(self.reps)]
        for name, config in (("inboxd", conf), ("inboxd_info", None)):
            cmd += ["--subject", "%s=%s" % (name, self.daemon_cmd(config)),
                    "--subject-ready", "%s=%s" % (name, ready), "--subject-dump", "%s=%s" % (name, dump)]
        if self.a.skip:
            cmd += ["--skip"] + self.a.skip
        log("run_bench.py: %d reps, peers + floor + inboxd (warning) + inboxd (info), interleaved" % self.reps)
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in p.stdout:
            if line.startswith("[") or "ERROR" in line:
                log("  run_bench " + line.rstrip())
        if p.wait() != 0:
            raise Failure("run_bench.py failed (rc=%d)" % p.returncode)
        with open(os.path.join(out, "summary.json"), encoding="utf-8") as f:
            summary = json.load(f)
        # the inboxd runs' own figures that run_bench does not keep (startup, stop)
        for subj in ("inboxd", "inboxd_info"):
            s = summary["subjects"].get(subj)
            if not s:
                continue
            runs = []
            for rep in range(1, self.reps + 1):
                try:
                    with open(os.path.join(out, "%s.%d.json" % (subj, rep)), encoding="utf-8") as f:
                        runs.append(json.load(f))
                except OSError:
                    pass
            s["startup_seconds_each"] = [r.get("startup_seconds") for r in runs]
            s["latency_max_ms_each"] = [(r.get("latency_ms") or {}).get("max") for r in runs]
            s["stop_each"] = [r.get("stop") for r in runs]
        return summary

    # -- scale: storegen ---------------------------------------------------------------------
    def scale(self):
        sg = os.path.join(self.bin, "storegen")
        res = {"append_count": 1000, "note": "page cache warm (stores just written, then flushed with sync(2)); batch 256, one commit (fsync) per batch; loads and appends interleaved across the sizes"}
        stores = {}
        try:
            for n in self.store_sizes:
                d = tempfile.mkdtemp(prefix="store-%d." % n, dir=self.tmp)
                store = os.path.join(d, "store")
                stores[n] = (d, store)
                log("storegen build %s articles" % format(n, ","))
                res[str(n)] = {"build": last_json(run([sg, "build", store, "--count", str(n)]).stdout)}
            # A daemon's log never holds gigabytes of unwritten pages; a store just built does, and
            # the first fdatasync of an append would pay for writing them back. Flush them first.
            os.sync()
            for n in self.store_sizes:
                res[str(n)]["loads"] = [res[str(n)]["build"]]
                res[str(n)]["appends"] = []
            # Round by round over the sizes: a VM that slows down for a minute (its fsyncs do) then
            # weighs on every size alike instead of on whichever was measured last.
            for _ in range(2):
                for n in self.store_sizes:
                    res[str(n)]["loads"].append(last_json(run([sg, "load", stores[n][1]]).stdout))
            for _ in range(3):
                for n in self.store_sizes:
                    res[str(n)]["appends"].append(last_json(run([sg, "append", stores[n][1], "--count", "1000"]).stdout))
            for n in self.store_sizes:
                r = res[str(n)]
                loads, appends = r["loads"], r["appends"]
                r.update({
                    "verify": last_json(run([sg, "verify", stores[n][1]], check=False).stdout) if n <= 100000 else None,
                    "load_seconds": med([x["load_seconds"] for x in loads]),
                    "rss_mb": med([x["rss_mb_after_load"] for x in loads]),
                    "us_per_article": med([x["us_per_article"] for x in appends]),
                    "stage_us_per_article": med([x["stage_us_per_article"] for x in appends]),
                    "commit_us_per_article": med([x["commit_us_per_article"] for x in appends]),
                    "bytes_on_disk": r["build"].get("bytes_on_disk"),
                })
                log("  %s: load %.3f s, RSS %.1f MB, append %.1f us/article (stage %.1f, commit %.1f)" % (
                    format(n, ","), r["load_seconds"], r["rss_mb"], r["us_per_article"],
                    r["stage_us_per_article"], r["commit_us_per_article"]))
        finally:
            for d, _ in stores.values():
                shutil.rmtree(d, ignore_errors=True)
        lo, hi = res[str(self.store_sizes[0])], res[str(self.store_sizes[-1])]
        res["cost_ratio_largest_vs_smallest"] = rnd(hi["us_per_article"] / lo["us_per_article"]) \
            if lo["us_per_article"] else None
        return res

    # -- the whole daemon with a big state -------------------------------------------------
    @staticmethod
    def fill_archive(base, folder, count):
        """`count` names in `folder`, corpus-like (`00000123_0123456789abcdef.txt`), hard links to a
        few seed files outside it: the directory a long-running daemon's archive grows into."""
        seeds = os.path.join(base, "archive-seeds")
        os.makedirs(seeds, exist_ok=True)
        os.makedirs(folder, exist_ok=True)
        seed = None
        for i in range(count):
            if i % 60000 == 0:   # ext4 allows 65,000 links to one inode
                seed = os.path.join(seeds, "seed-%d" % (i // 60000))
                with open(seed, "w") as f:
                    f.write("archived\n")
            os.link(seed, os.path.join(folder, "%08d_%016x.txt" % (i, (i * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF)))

    @staticmethod
    def wait_indexed(c, timeout=900):
        """Waits until the search index of the daemon behind client `c` holds every stored
        article; returns how many that is."""
        t = time.monotonic()
        stored = json.loads(c.get("/v1/status")[1])["articles"]
        while json.loads(c.get("/v1/search?q=x&limit=1")[1]).get("indexed", 0) < stored:
            if time.monotonic() - t > timeout:
                raise Failure("the search index did not reach %d articles within %d s" % (stored, timeout))
            time.sleep(0.01)
        return stored

    @classmethod
    def seconds_to_indexed(cls, daemon, timeout=900):
        """Seconds from now until the daemon's search index holds every stored article."""
        c = HTTP(daemon.sock)
        try:
            t = time.monotonic()
            cls.wait_indexed(c, timeout)
            return time.monotonic() - t
        finally:
            c.close()

    def daemon_scale(self, corpus, big=None, slice_files=None):
        """Bursts of fresh files into two running daemons, interleaved: one whose state started
        empty, one whose store holds `big` articles (storegen) and whose archive folder holds as
        many files. Both take the same slices of `corpus` in the same order, so both see the same
        articles as new or duplicate. What `scale` measures for the store alone, for everything a
        file costs: the archive's directory, the dedupe map, the search index."""
        big = big or self.store_sizes[-1]
        names = corpus_names(corpus)
        per = slice_files or min(10000, len(names) // self.reps)
        slices = [names[r * per:(r + 1) * per] for r in range(self.reps)]
        res = {"big_articles": big, "files_per_burst": per, "reps": self.reps, "small": {}, "big": {}}
        dirs = {k: tempfile.mkdtemp(prefix="dscale-%s." % k, dir=self.tmp) for k in ("small", "big")}
        daemons = {}
        try:
            t = time.monotonic()
            state = os.path.join(dirs["big"], "state")
            log("daemon scale: storegen build %s articles, archive folder of %s files" % (format(big, ","), format(big, ",")))
            run([os.path.join(self.bin, "storegen"), "build", os.path.join(state, "store"), "--count", str(big)])
            self.fill_archive(dirs["big"], os.path.join(state, "archive"), big)
            os.sync()
            res["big"]["prepare_s"] = round(time.monotonic() - t, 1)
            for k in ("small", "big"):
                t = time.monotonic()
                daemons[k] = Daemon(self.bin, dirs[k])
                daemons[k].wait_ready_http(timeout=300)
                res[k]["ready_s"] = round(time.monotonic() - t, 2)
                res[k]["indexed_s"] = round(self.seconds_to_indexed(daemons[k]) + res[k]["ready_s"], 1)
                p = proc_process(daemons[k].pid)
                res[k].update({"rss_mb_ready": p.get("VmRSS"), "files_per_s": [], "cpu_us_per_file": [], "index_catch_up_s": []})
                log("  %s: ready in %.2f s, search index complete at %.1f s, RSS %.0f MB" % (
                    k, res[k]["ready_s"], res[k]["indexed_s"], p.get("VmRSS", 0)))
            for r, part in enumerate(slices):
                # The first reader of a file not in the page cache would pay for the disk: warm it.
                for n in part:
                    with open(os.path.join(corpus, "files", n), "rb") as f:
                        f.read()
                for k in (("small", "big") if r % 2 == 0 else ("big", "small")):
                    d = daemons[k]
                    stage_dir = os.path.join(dirs[k], "stage-%d" % r)
                    stage(corpus, part, stage_dir)
                    b = proc_threads(d.pid)
                    t0, td, t1 = drop_and_wait(stage_dir, part, d.inbox)
                    # schedstat's run time, in ns: ticks of 10 ms are too coarse for a 1 s burst.
                    by_thread = thread_delta(b, proc_threads(d.pid))
                    x = res[k]
                    x["files_per_s"].append(round(len(part) / (t1 - t0), 1))
                    x["cpu_us_per_file"].append(round(sum(v["run_ms"] for v in by_thread.values()) * 1e3 / len(part), 1))
                    for name, v in by_thread.items():
                        x.setdefault("by_thread_us_per_file", {}).setdefault(name, []).append(round(v["run_ms"] * 1e3 / len(part), 1))
                    # The index catches up after the burst; the next burst starts once it has.
                    x["index_catch_up_s"].append(round(self.seconds_to_indexed(d), 2))
                    log("  rep %d %s: %.0f files/s, %.1f µs of daemon CPU per file, index caught up %.2f s later" % (
                        r, k, x["files_per_s"][-1], x["cpu_us_per_file"][-1], x["index_catch_up_s"][-1]))
            for k in ("small", "big"):
                x = res[k]
                x["rss_mb_after"] = proc_process(daemons[k].pid).get("VmRSS")
                x["files_per_s_median"] = med(x["files_per_s"])
                x["cpu_us_per_file_median"] = med(x["cpu_us_per_file"])
                x["by_thread_us_per_file_median"] = {n: med(v) for n, v in x.get("by_thread_us_per_file", {}).items()}
                c = HTTP(daemons[k].sock)
                try:
                    x["articles_after"] = json.loads(c.get("/v1/status")[1])["articles"]
                finally:
                    c.close()
            res["cpu_ratio_big_vs_small"] = rnd(res["big"]["cpu_us_per_file_median"] / res["small"]["cpu_us_per_file_median"])
            res["throughput_ratio_big_vs_small"] = rnd(res["big"]["files_per_s_median"] / res["small"]["files_per_s_median"])
            log("daemon scale: CPU per file %.2f×, files/s %.2f× with %s articles stored and archived" % (
                res["cpu_ratio_big_vs_small"], res["throughput_ratio_big_vs_small"], format(big, ",")))
        finally:
            for d in daemons.values():
                d.stop()
            for d in dirs.values():
                shutil.rmtree(d, ignore_errors=True)
        return res

    # -- idle --------------------------------------------------------------------------------
    def idle_once(self, watchdog_usec):
        d = tempfile.mkdtemp(prefix="idle.", dir=self.tmp)
        ns = NotifySocket(os.path.join(d, "notify"))
        env = {"NOTIFY_SOCKET": ns.path}
        if watchdog_usec:
            env["WATCHDOG_USEC"] = str(watchdog_usec)
        daemon = Daemon(self.bin, d, env_extra=env)
        try:
            if not ns.wait_for("READY=1", 60):
                raise Failure("no READY=1 from inboxd within 60 s: %s" % daemon.tail())
            time.sleep(2)   # let start-up work settle
            pid = daemon.pid
            b, bp = proc_threads(pid), proc_process(pid)
            t0 = time.monotonic()
            time.sleep(self.idle_seconds)
            t1 = time.monotonic()
            a, ap = proc_threads(pid), proc_process(pid)
            per = thread_delta(b, a)
            res = {
                "seconds": round(t1 - t0, 2), "watchdog_usec": watchdog_usec,
                "voluntary_switches": sum(x["voluntary"] for x in per.values()),
                "involuntary_switches": sum(x["involuntary"] for x in per.values()),
                "cpu_ms": round((ap["utime"] + ap["stime"] - bp["utime"] - bp["stime"]) * 1000, 1),
                "run_ms": round(sum(x["run_ms"] for x in per.values()), 3),
                "threads": ap["threads"], "rss_mb": ap.get("VmRSS"), "by_thread": per,
                "watchdog_pings": ns.count("WATCHDOG=1", t0, t1),
                "notify_messages": [m for _, m in ns.messages][:10],
            }
            res["wakeups_per_minute"] = round(res["voluntary_switches"] * 60.0 / res["seconds"], 1)
            res["wakeups_beyond_pings"] = res["voluntary_switches"] - res["watchdog_pings"]
            return res
        finally:
            daemon.stop()
            ns.close()
            shutil.rmtree(d, ignore_errors=True)

    def idle(self):
        log("idle: %d s without watchdog" % self.idle_seconds)
        plain = self.idle_once(None)
        log("  wake-ups %d (on CPU %.3f ms)" % (plain["voluntary_switches"], plain["run_ms"]))
        log("idle: %d s with WATCHDOG_USEC=10 s" % self.idle_seconds)
        wd = self.idle_once(10_000_000)
        log("  wake-ups %d, pings %d (on CPU %.3f ms)" % (wd["voluntary_switches"], wd["watchdog_pings"], wd["run_ms"]))
        return {"plain": plain, "watchdog": wd}

    # -- API latency -------------------------------------------------------------------------
    @staticmethod
    def latency_stats(lat):
        s = sorted(lat)
        return {"n": len(s), "p50_ms": rnd(pct(s, 50) * 1000, 3) if s else None,
                "p90_ms": rnd(pct(s, 90) * 1000, 3) if s else None,
                "p99_ms": rnd(pct(s, 99) * 1000, 3) if s else None, "max_ms": rnd(s[-1] * 1000, 3) if s else None}

    def live_search(self, c, corpus, drained_at, label):
        """GET /v1/search timings on a daemon that holds `corpus`, once its index holds every stored
        article (indexing runs at nice 19 after a burst; the wait is a figure too)."""
        qs = self.search_queries(corpus)
        st, body = c.get("/v1/search?q=" + urllib.parse.quote(qs[0]) + "&limit=20")
        if st != 200:
            log("%s: live search unavailable (HTTP %d)" % (label, st))
            return {"available": False, "http_status": st, "body": body[:200].decode("utf-8", "replace")}
        stored = self.wait_indexed(c, timeout=300)
        caught_up = time.monotonic() - drained_at
        log("%s: the index held all %d articles %.2f s after the drain" % (label, stored, caught_up))
        # Three rounds of the queries: the p99 of 300 is the third-slowest query, which one stall
        # of the VM decides; of 900 it is a figure of the daemon.
        lat, hits, rounds = [], 0, []
        for _ in range(3):
            this_round = []
            for q in qs:
                t = time.perf_counter()
                st, body = c.get("/v1/search?q=" + urllib.parse.quote(q) + "&limit=20")
                this_round.append(time.perf_counter() - t)
                hits += st == 200
            lat += this_round
            rounds.append(self.latency_stats(this_round)["p99_ms"])
        res = self.latency_stats(lat)
        res.update({"available": True, "ok": hits, "articles": stored, "index_caught_up_s": round(caught_up, 2),
                    "queries": len(qs), "rounds": len(rounds), "p99_ms_each_round": rounds})
        log("%s: live search p50 %.3f ms p99 %.3f ms at %d articles" % (label, res["p50_ms"], res["p99_ms"], stored))
        return res

    def search_queries(self, corpus, count=300):
        """Words and phrases taken from the corpus titles (deterministic)."""
        with open(os.path.join(corpus, "manifest.json"), encoding="utf-8") as f:
            titles = [e["title"] for e in json.load(f)["files"].values() if e.get("title")]
        qs = []
        i = 0
        while len(qs) < count and titles:
            words = [w for w in titles[(i * 7919) % len(titles)].split() if any(c.isalpha() for c in w)]
            i += 1
            if not words:
                continue
            k = i % 4
            if k == 0:
                qs.append(words[i % len(words)])
            elif k == 1 and len(words) >= 2:
                qs.append(words[i % len(words)] + " " + words[(i * 3) % len(words)])
            elif k == 2 and len(words) >= 3:
                j = i % (len(words) - 1)
                qs.append('"%s %s"' % (words[j], words[j + 1]))
            else:
                qs.append(words[-1])
        return qs

    @contextlib.contextmanager
    def corpus_daemon(self, corpus, prefix):
        """inboxd on a fresh folder, ready, with the corpus staged beside its inbox (hard links):
        yields (daemon, names, stage folder); stops the daemon and removes the folder after."""
        names = corpus_names(corpus)
        d = tempfile.mkdtemp(prefix=prefix, dir=self.tmp)
        try:
            stage(corpus, names, os.path.join(d, "stage"))
            daemon = Daemon(self.bin, d)
            try:
                daemon.wait_ready_http()
                yield daemon, names, os.path.join(d, "stage")
            finally:
                daemon.stop()
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def api(self, corpus):
        res = {}
        with self.corpus_daemon(corpus, "api.") as (daemon, names, stage_dir):
            c = HTTP(daemon.sock)
            for _ in range(200):
                c.get("/v1/status")
            lat = []
            for _ in range(3000):
                t = time.perf_counter()
                st, _ = c.get("/v1/status")
                lat.append(time.perf_counter() - t)
            res["status_idle"] = self.latency_stats(lat)
            log("api: status idle p50 %.3f ms p99 %.3f ms" % (res["status_idle"]["p50_ms"], res["status_idle"]["p99_ms"]))
            # The burst, with the tight status loop running in this process. The files are
            # dropped by a child process: a dropper thread here would share the interpreter
            # lock with the status loop, and its drain check (a scandir of the inbox, several
            # ms of bytecode) would show up as milliseconds of status latency.
            ctx = multiprocessing.get_context("fork")
            drained = ctx.Event()
            receive, send = ctx.Pipe(duplex=False)

            def dropper():
                try:
                    send.send(("times", drop_and_wait(stage_dir, names, daemon.inbox)))
                except Exception as e:  # noqa
                    send.send(("error", repr(e)))
                drained.set()
            pid = daemon.pid
            b = proc_process(pid)
            child = ctx.Process(target=dropper)
            lat, errors, statuses = [], 0, {}
            child.start()
            while not drained.is_set():
                t = time.perf_counter()
                try:
                    st, _ = c.get("/v1/status")
                    statuses[st] = statuses.get(st, 0) + 1
                except OSError:
                    errors += 1
                    continue
                lat.append(time.perf_counter() - t)
            kind, value = receive.recv()
            child.join()
            a = proc_process(pid)
            if kind == "error":
                raise Failure(value)
            t0, td, t1 = value
            res["status_during_burst"] = self.latency_stats(lat)
            res["status_during_burst"].update({"errors": errors, "http_status": statuses})
            res["burst_with_status_client"] = {
                "files": len(names), "seconds": round(t1 - t0, 3), "files_per_s": round(len(names) / (t1 - t0), 1),
                "daemon_cpu_s": round(a["utime"] + a["stime"] - b["utime"] - b["stime"], 2)}
            log("api: status during burst p50 %.3f ms p99 %.3f ms max %.1f ms (%d requests; burst %.0f files/s)" % (
                res["status_during_burst"]["p50_ms"], res["status_during_burst"]["p99_ms"],
                res["status_during_burst"]["max_ms"], len(lat), res["burst_with_status_client"]["files_per_s"]))
            # live search on the daemon that now holds the corpus
            res["search_live"] = self.live_search(c, corpus, t1, "api")
            c.close()
        return res

    # -- profile: CPU per thread, syscalls per file --------------------------------------------
    def profile(self, corpus):
        res = {}
        with self.corpus_daemon(corpus, "prof.") as (daemon, names, stage_dir):
            pid = daemon.pid
            time.sleep(0.5)
            bt, bp = proc_threads(pid), proc_process(pid)
            bm, bs = machine_cpu(), resource.getrusage(resource.RUSAGE_SELF)
            t0, td, t1 = drop_and_wait(stage_dir, names, daemon.inbox)
            am, as_ = machine_cpu(), resource.getrusage(resource.RUSAGE_SELF)
            at, ap = proc_threads(pid), proc_process(pid)
            wall = t1 - t0
            cpu_u, cpu_s = ap["utime"] - bp["utime"], ap["stime"] - bp["stime"]
            res["burst"] = {
                "files": len(names), "wall_s": round(wall, 3), "files_per_s": round(len(names) / wall, 1),
                "drop_s": round(td - t0, 3),
                "cpu_user_s": round(cpu_u, 2), "cpu_sys_s": round(cpu_s, 2),
                "cpu_per_wall": round((cpu_u + cpu_s) / wall, 2),
                "cpu_us_per_file": round((cpu_u + cpu_s) * 1e6 / len(names), 1),
                "by_thread": thread_delta(bt, at),
                # Where both cores went: the daemon, this harness (its renames into the inbox
                # and its polling), everything else (kernel threads: journal commits, block
                # I/O), and idle.
                "machine": {
                    "busy_s": round(am[0] - bm[0], 3), "idle_s": round(am[1] - bm[1], 3),
                    "harness_s": round((as_.ru_utime - bs.ru_utime) + (as_.ru_stime - bs.ru_stime), 3),
                    "daemon_s": round(cpu_u + cpu_s, 3),
                    "harness_us_per_file": round(((as_.ru_utime - bs.ru_utime) + (as_.ru_stime - bs.ru_stime)) * 1e6 / len(names), 1),
                },
                "threads_after": ap["threads"], "rss_mb_after": ap.get("VmRSS"), "rss_peak_mb": ap.get("VmHWM"),
                "write_bytes_per_file": round((ap.get("io_write_bytes", 0) - bp.get("io_write_bytes", 0)) / len(names)),
                "syscr_per_file": round((ap.get("io_syscr", 0) - bp.get("io_syscr", 0)) / len(names), 1),
                "syscw_per_file": round((ap.get("io_syscw", 0) - bp.get("io_syscw", 0)) / len(names), 1),
            }
            log("profile: burst %.2f s wall (%.0f files/s), CPU user %.2f s + sys %.2f s = %.2f cores" % (
                wall, len(names) / wall, cpu_u, cpu_s, (cpu_u + cpu_s) / wall))
        if shutil.which("strace"):
            res["syscalls"] = self.strace_burst(corpus, names)
        return res

    def strace_burst(self, corpus, names):
        d = tempfile.mkdtemp(prefix="strace.", dir=self.tmp)
        try:
            stage(corpus, names, os.path.join(d, "stage"))
            summary = os.path.join(d, "strace.txt")
            # -w: time is the wall-clock latency of each call (blocking included), summed over threads
            daemon = Daemon(self.bin, d, wrapper=["strace", "-f", "-c", "-w", "-o", summary])
            try:
                daemon.wait_ready_http()
                pid = daemon.daemon_pid()
                time.sleep(0.5)
                t0, _, t1 = drop_and_wait(os.path.join(d, "stage"), names, daemon.inbox)
                time.sleep(0.2)
            finally:
                daemon.stop(pid=daemon.daemon_pid() if daemon.proc.poll() is None else None)
            calls, secs = {}, {}
            total = None
            with open(summary) as f:
                for line in f:
                    parts = line.split()
                    if len(parts) >= 5 and parts[0][0].isdigit() and not line.startswith("-"):
                        name = parts[-1]
                        n = int(parts[3])
                        if name == "total":
                            total = n
                        else:
                            calls[name] = n
                            secs[name] = float(parts[1])
            per_file = {k: round(v / len(names), 2) for k, v in sorted(calls.items(), key=lambda kv: -kv[1])}
            syncs = ("fsync", "fdatasync", "sync_file_range", "syncfs")
            fs = sum(v for k, v in calls.items() if k in syncs)
            fs_s = sum(v for k, v in secs.items() if k in syncs)
            blocking = ("epoll_wait", "epoll_pwait", "poll", "ppoll", "futex", "read", "select", "pselect6", "wait4",
                        "rt_sigtimedwait", "nanosleep", "clock_nanosleep")
            res = {"files": len(names), "wall_s_under_strace": round(t1 - t0, 2),
                   "total_per_file": round((total or sum(calls.values())) / len(names), 1),
                   "fsyncs": fs, "fsyncs_per_1000_files": round(fs * 1000.0 / len(names), 1),
                   "per_file": dict(list(per_file.items())[:25]),
                   "fsync_seconds": round(fs_s, 3), "fsync_ms_each": round(fs_s * 1000 / fs, 2) if fs else None,
                   "wall_seconds_by_call": {k: round(v, 3) for k, v in sorted(secs.items(), key=lambda kv: -kv[1])[:12]},
                   "wall_seconds_excluding_waits": round(sum(v for k, v in secs.items() if k not in blocking), 3),
                   "note": "counts include start-up and shutdown"}
            log("profile: %.1f syscalls per file, %d fsync/fdatasync for %d files, %.2f s in them (%s ms each)" % (
                res["total_per_file"], fs, len(names), fs_s, res["fsync_ms_each"]))
            return res
        finally:
            shutil.rmtree(d, ignore_errors=True)

    # -- core: corebench vs normalize.py -----------------------------------------------------
    def core(self, corpus):
        files = os.path.join(corpus, "files")
        log("core: corebench (3 passes)")
        cb = last_json(run([os.path.join(self.bin, "corebench"), files, "3"]).stdout)
        cb["mb_per_s_cpu"] = round(cb["bytes"] * cb["passes"] / cb["cpu_seconds"] / 1e6, 1)
        cb["us_per_article_cpu"] = round(cb["cpu_seconds"] * 1e6 / (cb["files"] * cb["passes"]), 1)
        log("  %.1f MB/s by CPU time, %.1f MB/s by wall time" % (cb["mb_per_s_cpu"], cb["mb_per_s"]))
        log("core: normalize.py (content hash + title) on the same files, 1 pass")
        code = r"""
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
import normalize
d = sys.argv[2]
datas = []
for n in sorted(os.listdir(d)):
    with open(os.path.join(d, n), "rb") as f:
        datas.append(f.read())
total = sum(map(len, datas))
bad = 0
c0, t0 = time.process_time(), time.perf_counter()
for data in datas:
    try:
        normalize.content_hash(data)
        normalize.title_of(normalize.decode_bytes(data)[0])
    except normalize.DecodeError:
        bad += 1
cpu, wall = time.process_time() - c0, time.perf_counter() - t0
print(json.dumps({"files": len(datas), "bytes": total, "cpu_seconds": round(cpu, 3), "seconds": round(wall, 3),
                  "mb_per_s_cpu": round(total / cpu / 1e6, 2), "mb_per_s": round(total / wall / 1e6, 2), "bad": bad}))
"""
        nz = last_json(run([sys.executable, "-c", code, os.path.join(self.shared, "corpus"), files]).stdout)
        log("  %.1f MB/s by CPU time" % nz["mb_per_s_cpu"])
        return {"corebench": cb, "normalize_py": nz,
                "ratio_cpu": round(cb["mb_per_s_cpu"] / nz["mb_per_s_cpu"], 2),
                "ratio_wall": round(cb["mb_per_s"] / nz["mb_per_s"], 2)}

    # -- search: searchbench -----------------------------------------------------------------
    def search(self, corpus):
        log("search: searchbench on %s (parse not timed, then build and 2,000 queries)" % corpus)
        r = last_json(run([os.path.join(self.bin, "searchbench"), corpus, "--queries", "2000", "--concurrent"]).stdout)
        log("  %d documents: p50 %.3f ms, p99 %.3f ms, index %.1f MB" % (r["documents"], r["p50_ms"], r["p99_ms"], r["index_mb"]))
        # The same corpus through the daemon and its socket, as `inboxctl search` sees it.
        with self.corpus_daemon(corpus, "search.") as (daemon, names, stage_dir):
            log("search: %s files dropped into inboxd" % format(len(names), ","))
            t0, _, t1 = drop_and_wait(stage_dir, names, daemon.inbox)
            c = HTTP(daemon.sock)
            r["live"] = self.live_search(c, corpus, t1, "search")
            r["live"]["burst_files_per_s"] = round(len(names) / (t1 - t0), 1)
            c.close()
        return r

    # -- the whole run -----------------------------------------------------------------------
    def full(self, only):
        self.build()
        corpus = self.corpus(self.articles)
        path = os.path.join(self.out, "summary.json")
        results = {}
        if only and os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                results = json.load(f).get("results", {})
        sections = only or SECTIONS
        for s in SECTIONS:
            if s not in sections:
                continue
            t = time.monotonic()
            try:
                if s == "e2e":
                    results[s] = self.e2e(corpus)
                elif s == "scale":
                    results[s] = self.scale()
                elif s == "daemon_scale":
                    results[s] = self.daemon_scale(self.corpus(self.search_articles) if self.search_articles else corpus)
                elif s == "idle":
                    results[s] = self.idle()
                elif s == "api":
                    results[s] = self.api(corpus)
                elif s == "profile":
                    results[s] = self.profile(corpus)
                elif s == "core":
                    results[s] = self.core(corpus)
                elif s == "search":
                    sc = self.corpus(self.search_articles) if self.search_articles else corpus
                    results[s] = self.search(sc)
                results[s]["_seconds"] = round(time.monotonic() - t, 1)
                results[s]["_at"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
            except (Failure, subprocess.SubprocessError, OSError, KeyError, ValueError) as e:
                log("SECTION %s FAILED: %s" % (s, e))
                results[s] = {"error": str(e)}
        meta = self.meta(corpus)
        table = make_table(results, meta)
        summary = {"meta": meta, "table": table["rows"], "figures": table["figures"], "results": results}
        with open(path, "w", encoding="utf-8") as f:
            json.dump(summary, f, ensure_ascii=False, indent=1)
            f.write("\n")
        with open(os.path.join(self.out, "summary.md"), "w", encoding="utf-8") as f:
            f.write(table["markdown"])
        print()
        print(table["markdown"])
        log("wrote %s/summary.md and summary.json" % self.out)
        failed = [s for s in sections if "error" in results.get(s, {})]
        return 1 if failed else 0

    def meta(self, corpus):
        def sh(cmd):
            try:
                return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True).stdout.strip()
            except OSError:
                return ""
        cpu = ""
        try:
            with open("/proc/cpuinfo") as f:
                cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "")
        except OSError:
            pass
        try:
            with open("/etc/debian_version") as f:
                debian = f.read().strip()
        except OSError:
            debian = ""
        with open(os.path.join(corpus, "manifest.json"), encoding="utf-8") as f:
            m = json.load(f)
        return {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                "host_cpus": os.cpu_count(), "cpu": cpu, "kernel": platform.release(), "debian": debian,
                "commit": sh(["git", "rev-parse", "--short", "HEAD"]) + (" (with local changes)" if sh(["git", "status", "--porcelain", "--untracked-files=no"]) else ""),
                "swift": sh([self.a.swift, "--version"]).splitlines()[0] if sh([self.a.swift, "--version"]) else "",
                "corpus": {"articles": m["articles"], "seed": m["seed"], "bytes": sum(e["bytes"] for e in m["files"].values()),
                           "expected_distinct": m["expected_distinct"]},
                "quick": bool(self.a.quick), "reps": self.reps, "bin_dir": self.bin}

    # -- smoke (CI) --------------------------------------------------------------------------
    def smoke(self):
        self.build()
        corpus = self.corpus(300)
        conf = os.path.join(self.out, "inboxd-warning.conf")
        with open(conf, "w") as f:
            f.write("log_level = warning\n")
        ctl = shlex.quote(os.path.join(self.bin, "inboxctl"))
        problems = []
        e2e = os.path.join(self.shared, "bench", "e2e.py")
        common = ["--cmd", self.daemon_cmd(conf), "--corpus", corpus,
                  "--ready-cmd", "%s --socket {run}/sock status --json | grep -q '\"ready\"'" % ctl,
                  "--dump-cmd", "%s --socket {run}/sock list --json" % ctl, "--tmp", self.tmp, "--timeout", "120"]

        def check_e2e(label, r):
            if "error" in r:
                problems.append("%s: %s" % (label, r["error"]))
                return
            for key, want in (("store_lines", r.get("expected_lines")), ("extra_lines_by_kind", {}),
                              ("missing_groups", 0), ("title_mismatch", 0), ("files_left_in_inbox", 0),
                              ("unparsable_lines", 0), ("dropped_names_not_found_under_store", 0),
                              ("timed_out", False)):
                if r.get(key) != want:
                    problems.append("%s: %s = %r, want %r" % (label, key, r.get(key), want))
            if r.get("stop", {}).get("exit_code") != 0:
                problems.append("%s: inboxd exit code %r on SIGTERM" % (label, r.get("stop")))

        log("smoke: e2e burst of %d files" % len(corpus_names(corpus)))
        p = run([sys.executable, e2e] + common + ["--label", "smoke_burst"], check=False, timeout=300)
        r = last_json(p.stdout) if p.stdout.strip() else {"error": p.stderr[-500:]}
        check_e2e("burst", r)
        log("  %s files, %s/%s store lines, %s files/s, extra %s, missing %s, title mismatches %s, left %s" % (
            r.get("files"), r.get("store_lines"), r.get("expected_lines"), r.get("files_per_s"),
            r.get("extra_lines_by_kind"), r.get("missing_groups"), r.get("title_mismatch"), r.get("files_left_in_inbox")))
        log("smoke: e2e trickle 50/s for 3 s")
        p = run([sys.executable, e2e] + common + ["--label", "smoke_trickle", "--trickle", "--rate", "50",
                                                   "--duration", "3"], check=False, timeout=300)
        t = last_json(p.stdout) if p.stdout.strip() else {"error": p.stderr[-500:]}
        check_e2e("trickle", t)
        log("  %s files, latency %s" % (t.get("files"), t.get("latency_ms")))
        log("smoke: storegen build/append/verify 2,000 articles")
        sg = os.path.join(self.bin, "storegen")
        d = tempfile.mkdtemp(prefix="smoke-store.", dir=self.tmp)
        try:
            store = os.path.join(d, "store")
            b = last_json(run([sg, "build", store, "--count", "2000"]).stdout)
            ap = last_json(run([sg, "append", store, "--count", "100"]).stdout)
            v = last_json(run([sg, "verify", store], check=False).stdout)
            if b.get("articles") != 2000:
                problems.append("storegen build: %r" % b)
            if not v.get("ok") or v.get("articles") != 2100:
                problems.append("storegen verify: %r" % v)
            log("  build %s, append %s us/article, verify ok=%s articles=%s" % (
                b.get("articles"), ap.get("us_per_article"), v.get("ok"), v.get("articles")))
        finally:
            shutil.rmtree(d, ignore_errors=True)
        log("smoke: daemon scale, 2,000 articles stored and archived against an empty state")
        ds = None
        try:
            ds = self.daemon_scale(corpus, big=2000, slice_files=100)
            stored = ds["big"]["articles_after"] - 2000
            if stored != ds["small"]["articles_after"] or stored <= 0:
                problems.append("daemon scale: %d new articles with 2,000 stored, %d from empty" % (stored, ds["small"]["articles_after"]))
        except (Failure, subprocess.SubprocessError, OSError, KeyError, ValueError) as e:
            problems.append("daemon scale: %s" % e)
        log("smoke: corebench")
        cb = last_json(run([os.path.join(self.bin, "corebench"), os.path.join(corpus, "files"), "1"]).stdout)
        if cb.get("files") != 300 or cb.get("rejected") != 0:
            problems.append("corebench: %r" % cb)
        log("  %s files, %s rejected, %s MB/s" % (cb.get("files"), cb.get("rejected"), cb.get("mb_per_s")))
        with open(os.path.join(self.out, "smoke.json"), "w", encoding="utf-8") as f:
            json.dump({"burst": r, "trickle": t, "corebench": cb, "daemon_scale": ds, "problems": problems}, f, ensure_ascii=False, indent=1)
        if problems:
            print("\nBENCH SMOKE FAILED:", file=sys.stderr)
            for x in problems:
                print("  - " + x, file=sys.stderr)
            return 1
        log("smoke: all checks passed (%s/smoke.json)" % self.out)
        return 0


# ---------------------------------------------------------------------------------------------
# The table


def fmt(v, places=0, unit=""):
    if v is None:
        return "–"
    if isinstance(v, float):
        s = ("{:,.%df}" % places).format(v)
    else:
        s = "{:,}".format(v)
    return s + unit


def query_count(live):
    """`300 queries × 3 rounds (p99 of each: …)`, or `N queries` for a run that made one round."""
    if live.get("rounds", 1) > 1:
        return "%d queries × %d rounds (p99 of each: %s ms)" % (
            live["queries"], live["rounds"], ", ".join(fmt(x, 1) for x in live["p99_ms_each_round"]))
    return "%d queries" % live["n"]


def make_table(R, meta):
    rows = []       # (section, metric, value, goal)
    figures = {}

    def add(section, metric, value, goal=""):
        rows.append((section, metric, value, goal))

    e2e = (R.get("e2e") or {}).get("subjects", {})
    labels = [("inboxd", "inboxd (log_level = warning)"), ("inboxd_info", "inboxd (default log level, info)"),
              ("watchdog", "watchdog peer (Python)"), ("watchdog_nodelay", "watchdog peer --no-move-delay"),
              ("inotify_printf", "shell peer (inotifywait + printf)"), ("inotify_jq", "shell peer (inotifywait + jq)"),
              ("floor", "floor (C: read + SHA-256 + rename)"), ("floor_append", "floor + one write(2) per file")]
    n_files = meta["corpus"]["articles"]
    sec = "Burst, %s files, files/s: median (each rep)" % fmt(n_files)
    for key, label in labels:
        s = e2e.get(key)
        if not s:
            continue
        each = ", ".join(fmt(x) for x in s.get("files_per_s_each", []))
        v = fmt(s.get("files_per_s_median")) + (" (%s)" % each if len(s.get("files_per_s_each", [])) > 1 else "")
        if s.get("errors"):
            v += " ERRORS: %d" % len(s["errors"])
        add(sec, label, v)
        figures["burst_files_per_s_" + key] = s.get("files_per_s_median")

    def ratio(a, b):
        fa, fb = figures.get("burst_files_per_s_" + a), figures.get("burst_files_per_s_" + b)
        return round(fa / fb, 3) if fa and fb else None
    for a_, b_, label, goal, as_pct in (("inboxd", "watchdog", "inboxd / watchdog peer", "≥ 5×", False),
                                        ("inboxd", "watchdog_nodelay", "inboxd / watchdog peer --no-move-delay", "", False),
                                        ("inboxd", "floor", "inboxd / floor", "≥ 50 %", True),
                                        ("inboxd", "floor_append", "inboxd / floor + append", "", True),
                                        ("inboxd_info", "inboxd", "inboxd info / inboxd warning (cost of logging)", "", True)):
        r = ratio(a_, b_)
        figures["ratio_%s_%s" % (a_, b_)] = r
        if r is not None:
            add("Ratios (medians, same run)", label, ("%.0f %%" % (r * 100)) if as_pct else ("%.2f×" % r), goal)
    for key in ("inboxd", "inboxd_info", "watchdog"):
        s = e2e.get(key)
        if not s:
            continue
        add("Correctness of the bursts", key,
            "store %s / expected %s; extra %s; missing %s; title mismatches %s; left in inbox %s" % (
                s.get("store_lines"), s.get("expected_lines"), s.get("extra_lines_by_kind"),
                s.get("missing_groups"), s.get("title_mismatch"), s.get("files_left_in_inbox")))
    for key, label, goal in (("inboxd_trickle", "inboxd (warning)", "p99 ≤ 10 ms"), ("inboxd_info_trickle", "inboxd (info)", ""),
                             ("watchdog_trickle", "watchdog peer", ""), ("watchdog_trickle_nodelay", "watchdog peer --no-move-delay", ""),
                             ("inotify_printf_trickle", "shell peer (printf)", "")):
        s = e2e.get(key)
        if not s:
            continue
        v = "%s / %s ms" % (fmt(s.get("latency_p50_ms_median"), 1), fmt(s.get("latency_p99_ms_median"), 1))
        if len(s.get("latency_p99_ms_each", [])) > 1:
            v += " (p99 each: %s)" % ", ".join(fmt(x, 1) for x in s["latency_p99_ms_each"])
        add("Trickle 200 files/s, rename → moved out, p50 / p99", label, v, goal)
        figures["trickle_p50_ms_" + key] = s.get("latency_p50_ms_median")
        figures["trickle_p99_ms_" + key] = s.get("latency_p99_ms_median")

    sc = R.get("scale") or {}
    sizes = [k for k in sc if k.isdigit()]
    if sizes:
        def size_label(k):
            n = int(k)
            return "%dM" % (n // 1000000) if n >= 1000000 else "%dk" % (n // 1000)
        add("Scale (storegen, 1,000 appended in batches of 256, fsync per batch)",
            "µs per appended article at " + " / ".join(size_label(k) for k in sizes) + " stored",
            " / ".join(fmt(sc[k]["us_per_article"], 1) for k in sizes) +
            " (stage %s; commit %s)" % (" / ".join(fmt(sc[k]["stage_us_per_article"], 1) for k in sizes),
                                        " / ".join(fmt(sc[k]["commit_us_per_article"], 1) for k in sizes)) +
            "; %s/%s = %s×" % (size_label(sizes[-1]), size_label(sizes[0]), sc.get("cost_ratio_largest_vs_smallest")),
            "≤ 1.5×")
        for k in sizes:
            figures["us_per_article_at_" + k] = sc[k]["us_per_article"]
            figures["load_seconds_" + k] = sc[k]["load_seconds"]
            figures["load_rss_mb_" + k] = sc[k]["rss_mb"]
        big = [k for k in sizes if int(k) >= 100000]
        if big:
            add("Scale (storegen, 1,000 appended in batches of 256, fsync per batch)",
                "load time / RSS after load at " + " / ".join(size_label(k) for k in big),
                "; ".join("%s s, %s MB" % (fmt(sc[k]["load_seconds"], 3), fmt(sc[k]["rss_mb"], 0)) for k in big) +
                " (%s on disk)" % " / ".join("%.2f GB" % (sc[k]["bytes_on_disk"] / 1e9) for k in big),
                "100k < 0.5 s, < 150 MB; 1M < 3 s, < 1.5 GB")
    ds = R.get("daemon_scale") or {}
    if "cpu_ratio_big_vs_small" in ds:
        sm, bg = ds["small"], ds["big"]
        big_label = format(ds["big_articles"], ",")
        section = "Scale, whole daemon (bursts of %s new files, %d reps, interleaved)" % (format(ds["files_per_burst"], ","), ds["reps"])
        add(section, "µs of daemon CPU per file: state started empty / %s stored and archived" % big_label,
            "%s / %s (%s×); %s / %s files/s" % (fmt(sm["cpu_us_per_file_median"], 1), fmt(bg["cpu_us_per_file_median"], 1),
                                                ds["cpu_ratio_big_vs_small"], fmt(sm["files_per_s_median"]), fmt(bg["files_per_s_median"])),
            "≤ 1.5×")
        add(section, "with %s: ready after, search index complete after, RSS" % big_label,
            "%s s; %s s; %s MB (%s MB empty)" % (fmt(bg["ready_s"], 2), fmt(bg["indexed_s"], 1), fmt(bg["rss_mb_after"]),
                                                 fmt(sm["rss_mb_after"])))
        figures.update({"daemon_scale_cpu_ratio": ds["cpu_ratio_big_vs_small"],
                        "daemon_scale_cpu_us_small": sm["cpu_us_per_file_median"],
                        "daemon_scale_cpu_us_big": bg["cpu_us_per_file_median"],
                        "daemon_scale_ready_s_big": bg["ready_s"], "daemon_scale_rss_mb_big": bg["rss_mb_after"]})
    idle = R.get("idle") or {}
    if "plain" in idle:
        p, w = idle["plain"], idle["watchdog"]
        add("Idle (%d s, every thread, /proc)" % p["seconds"], "wake-ups (voluntary context switches), CPU",
            "%d wake-ups, %s ms on CPU (%d threads)" % (p["voluntary_switches"], fmt(p["run_ms"], 3), p["threads"]), "0")
        add("Idle (%d s, every thread, /proc)" % p["seconds"], "with WATCHDOG_USEC = 10 s",
            "%d wake-ups for %d pings, %s ms on CPU" % (w["voluntary_switches"], w["watchdog_pings"], fmt(w["run_ms"], 3)),
            "only the pings")
        figures.update({"idle_wakeups": p["voluntary_switches"], "idle_cpu_ms": p["cpu_ms"],
                        "idle_watchdog_wakeups": w["voluntary_switches"], "idle_watchdog_pings": w["watchdog_pings"]})
    api = R.get("api") or {}
    if "status_idle" in api:
        i, b = api["status_idle"], api["status_during_burst"]
        add("API (one keep-alive connection, tight loop)", "status p50 / p99, idle",
            "%s / %s ms" % (fmt(i["p50_ms"], 3), fmt(i["p99_ms"], 3)))
        add("API (one keep-alive connection, tight loop)", "status p50 / p99 (max) during a %s-file burst" % fmt(n_files),
            "%s / %s (%s) ms, %d requests; burst %s files/s meanwhile" % (
                fmt(b["p50_ms"], 3), fmt(b["p99_ms"], 3), fmt(b["max_ms"], 1), b["n"],
                fmt(api["burst_with_status_client"]["files_per_s"])), "p99 < 2 ms")
        figures.update({"status_idle_p99_ms": i["p99_ms"], "status_burst_p50_ms": b["p50_ms"],
                        "status_burst_p99_ms": b["p99_ms"]})
        sl = api.get("search_live", {})
        if sl.get("available"):
            add("API (one keep-alive connection, tight loop)", "GET /v1/search p50 / p99 at %s articles" % fmt(sl["articles"]),
                "%s / %s ms (%s, once the index holds them all: %s s after the drain)" % (
                    fmt(sl["p50_ms"], 3), fmt(sl["p99_ms"], 3), query_count(sl), sl.get("index_caught_up_s", "?")))
            figures["search_live_p99_ms"] = sl["p99_ms"]
        elif sl:
            add("API (one keep-alive connection, tight loop)", "GET /v1/search", "not available (HTTP %s)" % sl.get("http_status"))
    srch = R.get("search") or {}
    if "p50_ms" in srch:
        v = "%s / %s ms (index %s MB, build %s s)" % (fmt(srch["p50_ms"], 3), fmt(srch["p99_ms"], 3),
                                                   fmt(srch["index_mb"], 1), fmt(srch["build_seconds"], 1))
        if "concurrent_p99_ms" in srch:
            v += "; while adding 10 %%: %s / %s ms" % (fmt(srch["concurrent_p50_ms"], 3), fmt(srch["concurrent_p99_ms"], 3))
        add("Search (searchbench, in process)", "p50 / p99 at %s documents" % fmt(srch["documents"]), v, "p99 < 10 ms at 100k")
        figures.update({"search_documents": srch["documents"], "search_p50_ms": srch["p50_ms"], "search_p99_ms": srch["p99_ms"]})
        live = srch.get("live") or {}
        if live.get("available"):
            add("Search (searchbench, in process)", "GET /v1/search p50 / p99 at %s articles, through the daemon" % fmt(live["articles"]),
                "%s / %s ms (%s, once the index holds them all: %s s after the drain of a %s files/s burst)" % (
                    fmt(live["p50_ms"], 3), fmt(live["p99_ms"], 3), query_count(live), live["index_caught_up_s"],
                    fmt(live["burst_files_per_s"])), "p99 < 10 ms at 100k")
            figures["search_live_100k_p99_ms"] = live["p99_ms"]
    core = R.get("core") or {}
    if "corebench" in core:
        cb, nz = core["corebench"], core["normalize_py"]
        add("Core, one thread, files in memory", "corebench (decode, normalize, parse, hash)",
            "%s MB/s by CPU (%s MB/s wall), %s µs CPU per article" % (fmt(cb["mb_per_s_cpu"], 1), fmt(cb["mb_per_s"], 1),
                                                                    fmt(cb["us_per_article_cpu"], 1)))
        add("Core, one thread, files in memory", "normalize.py (hash + title only)",
            "%s MB/s by CPU (%s MB/s wall)" % (fmt(nz["mb_per_s_cpu"], 1), fmt(nz["mb_per_s"], 1)))
        add("Core, one thread, files in memory", "corebench / normalize.py", "%s× (CPU), %s× (wall)" % (core["ratio_cpu"], core["ratio_wall"]))
        figures.update({"core_mb_per_s_cpu": cb["mb_per_s_cpu"], "normalize_py_mb_per_s_cpu": nz["mb_per_s_cpu"],
                        "core_ratio_cpu": core["ratio_cpu"]})
    prof = R.get("profile") or {}
    if "burst" in prof:
        b = prof["burst"]
        threads = sorted(b["by_thread"].items(), key=lambda kv: -kv[1].get("run_ms", 0))
        for v in b["by_thread"].values():
            v.setdefault("run_ms", v["cpu_s"] * 1000)
            v.setdefault("runq_ms", 0.0)
        add("Profile of one burst (no API client)", "wall vs daemon CPU",
            "%s s wall (%s files/s); CPU %s s user + %s s sys = %s cores; %s µs CPU per file; by thread: %s" % (
                fmt(b["wall_s"], 2), fmt(b["files_per_s"]), fmt(b["cpu_user_s"], 2), fmt(b["cpu_sys_s"], 2),
                fmt(b["cpu_per_wall"], 2), fmt(b["cpu_us_per_file"], 0),
                "; ".join("%s: %s s on CPU, %s s waiting for a CPU, %s s blocked" % (
                    k, fmt(v["run_ms"] / 1000, 2), fmt(v["runq_ms"] / 1000, 2),
                    fmt(max(0.0, b["wall_s"] - (v["run_ms"] + v["runq_ms"]) / 1000), 2))
                    for k, v in threads[:2])))
        if "machine" in b:
            m = b["machine"]
            other = max(0.0, m["busy_s"] - m["daemon_s"] - m["harness_s"])
            add("Profile of one burst (no API client)", "where both cores went during the burst",
                "%s core-s busy, %s idle: daemon %s, harness renaming into the inbox and polling it %s (%s µs per file), "
                "other (kernel threads, the rest of the machine) %s" % (
                    fmt(m["busy_s"], 2), fmt(m["idle_s"], 2), fmt(m["daemon_s"], 2), fmt(m["harness_s"], 2),
                    fmt(m["harness_us_per_file"], 0), fmt(other, 2)))
        figures.update({"profile_cpu_per_wall": b["cpu_per_wall"], "profile_cpu_us_per_file": b["cpu_us_per_file"]})
    if "syscalls" in prof and "total_per_file" in prof["syscalls"]:
        s = prof["syscalls"]
        top = ", ".join("%s %s" % (k, v) for k, v in list(s["per_file"].items())[:8])
        add("Profile of one burst (no API client)", "syscalls per file (strace -f -c)",
            "%s per file; fsyncs %s per 1,000 files, %s ms each (wall, under strace); top: %s" % (
                s["total_per_file"], s["fsyncs_per_1000_files"], fmt(s.get("fsync_ms_each"), 1), top))
        figures.update({"syscalls_per_file": s["total_per_file"], "fsyncs_per_1000_files": s["fsyncs_per_1000_files"]})
    errs = [(k, v["error"]) for k, v in R.items() if isinstance(v, dict) and "error" in v]
    for k, e in errs:
        add("Errors", k, str(e)[:300].replace("|", "\\|").replace("\n", " "))

    ats = [v["_at"] for v in R.values() if isinstance(v, dict) and v.get("_at")]
    if len(set(ats)) > 1:   # merged from --only reruns: say which sections ran when
        main_at = max(set(ats), key=ats.count)
        meta["date"] = main_at + "".join("; %s rerun %s" % (k, v["_at"]) for k, v in R.items()
                                         if isinstance(v, dict) and v.get("_at") and v["_at"] != main_at)
    md = ["inboxd benchmarks, %s: %s cores (%s), Debian %s, kernel %s, commit %s; corpus %s articles (%.1f MB), seed %s%s." % (
        meta["date"], meta["host_cpus"], meta["cpu"], meta["debian"], meta["kernel"], meta["commit"],
        fmt(meta["corpus"]["articles"]), meta["corpus"]["bytes"] / 1e6, meta["corpus"]["seed"],
        "; QUICK run" if meta.get("quick") else ""), "",
          "| section | metric | value | goal |", "|---|---|---|---|"]
    last = None
    for section, metric, value, goal in rows:
        md.append("| %s | %s | %s | %s |" % ("" if section == last else section, metric, value, goal))
        last = section
    return {"rows": [list(r) for r in rows], "figures": figures, "markdown": "\n".join(md) + "\n"}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smaller sizes (minutes, not an hour)")
    ap.add_argument("--smoke", action="store_true", help="correctness only, for CI")
    ap.add_argument("--only", nargs="+", choices=SECTIONS, help="run these sections, merge into the summary")
    ap.add_argument("--table", action="store_true", help="only rewrite OUT/summary.md from OUT/summary.json")
    ap.add_argument("--skip", nargs="+", default=[], help="run_bench.py subjects to skip (e.g. inotify_jq)")
    ap.add_argument("--bin-dir", help="use these binaries instead of building release ones")
    ap.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    ap.add_argument("--out", default=os.path.join(ROOT, "out", "bench"))
    ap.add_argument("--tmp", default="/tmp", help="where the runs' folders go (same file system for renames)")
    ap.add_argument("--swift", default=os.environ.get("SWIFT", "swift"))
    ap.add_argument("--articles", type=int, help="corpus size (default 10,000; --quick 2,000)")
    ap.add_argument("--reps", type=int, help="burst repetitions (default 3; --quick 1)")
    ap.add_argument("--idle-seconds", type=int)
    a = ap.parse_args()
    b = Bench(a)
    if a.table:
        path = os.path.join(b.out, "summary.json")
        with open(path, encoding="utf-8") as f:
            summary = json.load(f)
        table = make_table(summary["results"], summary["meta"])
        summary.update({"table": table["rows"], "figures": table["figures"]})
        with open(path, "w", encoding="utf-8") as f:
            json.dump(summary, f, ensure_ascii=False, indent=1)
            f.write("\n")
        with open(os.path.join(b.out, "summary.md"), "w", encoding="utf-8") as f:
            f.write(table["markdown"])
        print(table["markdown"])
        return 0
    try:
        if a.smoke:
            return b.smoke()
        return b.full(a.only)
    except Failure as e:
        print("bench: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
