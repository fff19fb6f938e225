#!/usr/bin/env python3
"""Peak memory of inboxd while a long stream of files goes through it (python3, stdlib only).

    bench/rss_stream.py [--files N] [--wave W] [--bin-dir DIR] [--work DIR] [--keep]

Generates N articles with Tests/InboxCoreTests/Fixtures/corpus/make_corpus.py (default 100,000,
cached in WORK/corpus-N), starts inboxd on fresh folders in WORK, then drops the files in waves of
W (renamed in from a staging folder on the same file system) and waits for each wave to leave the
inbox before the next. After every wave it reads VmRSS and VmHWM (the peak) from
/proc/PID/status. Prints one line per wave and `FIGURE:` lines at the end: the peak RSS, the RSS
after the first wave and at the end (growth per 10,000 articles is the store's and search index's
in-memory part), and the throughput.

--bin-dir defaults to .build-release/release if it holds inboxd, else `swift build --show-bin-path`.
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def status(sock_path):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(10)
    s.connect(sock_path)
    s.sendall(b"GET /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    return json.loads(data.split(b"\r\n\r\n", 1)[1])


def proc_kib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return -1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--wave", type=int, default=5_000)
    parser.add_argument("--bin-dir")
    parser.add_argument("--work", default=os.path.join(ROOT, "out", "rss"))
    parser.add_argument("--keep", action="store_true", help="keep the daemon's folders afterwards")
    args = parser.parse_args()

    bin_dir = args.bin_dir
    if not bin_dir:
        release = os.path.join(ROOT, ".build-release", "release")
        if os.path.exists(os.path.join(release, "inboxd")):
            bin_dir = release
        else:
            bin_dir = subprocess.check_output(["swift", "build", "--show-bin-path"], cwd=ROOT, text=True).strip()
    inboxd = os.path.join(bin_dir, "inboxd")

    os.makedirs(args.work, exist_ok=True)
    corpus = os.path.join(args.work, f"corpus-{args.files}")
    if not os.path.exists(os.path.join(corpus, "manifest.json")):
        started = time.monotonic()
        subprocess.check_call([sys.executable, os.path.join(ROOT, "Tests/InboxCoreTests/Fixtures/corpus/make_corpus.py"),
                               corpus, "--articles", str(args.files), "--seeds-dir", os.path.join(ROOT, "seeds")],
                              stdout=subprocess.DEVNULL)
        print(f"corpus: {args.files} files generated in {time.monotonic() - started:.0f} s")
    names = sorted(os.listdir(os.path.join(corpus, "files")))

    run = os.path.join(args.work, "run")
    shutil.rmtree(run, ignore_errors=True)
    inbox, state, stage = (os.path.join(run, d) for d in ("inbox", "state", "stage"))
    for d in (inbox, stage):
        os.makedirs(d)
    sock = os.path.join(run, "inboxd.sock")
    conf = os.path.join(run, "inboxd.conf")
    with open(conf, "w") as f:
        f.write("log_level = warning\n")
    log = open(os.path.join(run, "inboxd.log"), "w")
    daemon = subprocess.Popen([inboxd, "--config", conf, "--inbox", inbox, "--state", state, "--socket", sock],
                              stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if status(sock)["state"] == "ready":
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or daemon.poll() is not None:
                sys.exit("inboxd did not become ready")
            time.sleep(0.05)
        base_rss = proc_kib(daemon.pid, "VmRSS")
        print(f"idle: VmRSS {base_rss / 1024:.1f} MiB ({inboxd})")

        busy = 0.0
        rss_after = []
        for first in range(0, len(names), args.wave):
            wave = names[first:first + args.wave]
            for name in wave:
                shutil.copyfile(os.path.join(corpus, "files", name), os.path.join(stage, name))
            wave_started = time.monotonic()
            for name in wave:
                os.rename(os.path.join(stage, name), os.path.join(inbox, name))
            while True:
                if not os.listdir(inbox) and status(sock)["pending"] == 0:
                    break
                if daemon.poll() is not None:
                    sys.exit(f"inboxd exited with {daemon.returncode}")
                time.sleep(0.05)
            busy += time.monotonic() - wave_started
            rss, hwm = proc_kib(daemon.pid, "VmRSS"), proc_kib(daemon.pid, "VmHWM")
            rss_after.append(rss)
            done = first + len(wave)
            print(f"wave {done // args.wave:3d}: {done:7d} files, {len(wave) / (time.monotonic() - wave_started):7.0f} files/s,"
                  f" VmRSS {rss / 1024:7.1f} MiB, VmHWM {hwm / 1024:7.1f} MiB")
        final = status(sock)
        hwm = proc_kib(daemon.pid, "VmHWM")
        growth = (rss_after[-1] - rss_after[0]) / max(1, (len(names) - args.wave) / 10_000) / 1024 if len(rss_after) > 1 else 0
        print(f"FIGURE: rss_stream files={len(names)} wave={args.wave} articles={final['articles']} duplicates={final['duplicates']}"
              f" rejected={final['rejected']} state={final['state']}")
        print(f"FIGURE: rss_stream peak VmHWM {hwm / 1024:.1f} MiB; VmRSS idle {base_rss / 1024:.1f} MiB,"
              f" after wave 1 {rss_after[0] / 1024:.1f} MiB, at the end {rss_after[-1] / 1024:.1f} MiB"
              f" ({growth:.1f} MiB per 10,000 more files)")
        print(f"FIGURE: rss_stream {len(names) / busy:.0f} files/s over {busy:.0f} s of waves (staging copies not counted)")
        if final["state"] != "ready" or final["articles"] + final["duplicates"] + final["rejected"] != len(names):
            sys.exit("not every file was accounted for")
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)
        log.close()
        if not args.keep:
            shutil.rmtree(run, ignore_errors=True)


if __name__ == "__main__":
    main()
