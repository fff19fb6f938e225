#!/usr/bin/env python3
"""Ingest throughput with and without a crowd of API clients (stdlib only).

    api_load.py --bin-dir DIR --corpus CORPUS_DIR [--clients 1000] [--files N]

Starts inboxd on a fresh folder, renames the corpus files into its inbox and times until the
inbox is empty, once with no API traffic and once while CLIENTS concurrent clients (asyncio,
one connection each, request after request) ask GET /v1/status. Prints one JSON line: files/s
both ways, their ratio, and the clients' request rate and latency percentiles.
"""
import argparse, asyncio, json, os, shutil, subprocess, sys, tempfile, threading, time


def pct(values, q):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100.0 * (len(values) - 1))))]


async def client(sock, stop, latencies, errors):
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_unix_connection(sock)
            while not stop.is_set():
                t0 = time.monotonic()
                writer.write(b"GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n")
                await writer.drain()
                head = await reader.readuntil(b"\r\n\r\n")
                length = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")][0].split(b":")[1])
                await reader.readexactly(length)
                latencies.append(time.monotonic() - t0)
            writer.close()
        except Exception:
            errors.append(1)
            await asyncio.sleep(0.01)


def crowd(sock, clients, stop, latencies, errors):
    async def main():
        flag = asyncio.Event()
        async def watch():
            while not stop.is_set():
                await asyncio.sleep(0.05)
            flag.set()
        tasks = [asyncio.create_task(client(sock, flag, latencies, errors)) for _ in range(clients)]
        await watch()
        await asyncio.gather(*tasks, return_exceptions=True)
    asyncio.run(main())


def run_once(bin_dir, files, names, clients):
    base = tempfile.mkdtemp(prefix="apiload.", dir="/tmp")
    try:
        inbox, state, stage, sock = (os.path.join(base, x) for x in ("inbox", "state", "stage", "sock"))
        os.makedirs(inbox); os.makedirs(stage)
        for n in names:
            shutil.copyfile(os.path.join(files, n), os.path.join(stage, n))
        conf = os.path.join(base, "quiet.conf")
        with open(conf, "w") as f:
            f.write("log_level = warning\n")
        proc = subprocess.Popen([os.path.join(bin_dir, "inboxd"), "--inbox", inbox, "--state", state,
                                 "--socket", sock, "--config", conf], stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while subprocess.run([os.path.join(bin_dir, "inboxctl"), "--socket", sock, "status", "--json"],
                             capture_output=True).stdout.find(b'"ready"') < 0:
            if time.monotonic() > deadline:
                raise SystemExit("inboxd not ready")
            time.sleep(0.05)
        stop, latencies, errors = threading.Event(), [], []
        thread = None
        if clients:
            thread = threading.Thread(target=crowd, args=(sock, clients, stop, latencies, errors), daemon=True)
            thread.start()
            time.sleep(1.0)   # let the crowd connect before the burst starts
        t0 = time.monotonic()
        for n in names:
            os.rename(os.path.join(stage, n), os.path.join(inbox, n))
        while True:
            with os.scandir(inbox) as it:
                if not any(e.is_file(follow_symlinks=False) for e in it):
                    break
            time.sleep(0.01)
        seconds = time.monotonic() - t0
        served = len(latencies)
        stop.set()
        if thread:
            thread.join(10)
        proc.terminate(); proc.wait(10)
        return {"files_per_s": round(len(names) / seconds, 1), "seconds": round(seconds, 3),
                "requests": served, "requests_per_s": round(served / seconds, 1) if clients else 0,
                "p50_ms": round(pct(latencies, 50) * 1000, 2) if latencies else None,
                "p99_ms": round(pct(latencies, 99) * 1000, 2) if latencies else None,
                "client_errors": len(errors)}
    finally:
        shutil.rmtree(base, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--clients", type=int, default=1000)
    ap.add_argument("--files", type=int, default=10000)
    a = ap.parse_args()
    files = os.path.join(a.corpus, "files")
    names = sorted(os.listdir(files))[:a.files]
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    quiet = run_once(a.bin_dir, files, names, 0)
    loaded = run_once(a.bin_dir, files, names, a.clients)
    print(json.dumps({"files": len(names), "clients": a.clients, "without_clients": quiet, "with_clients": loaded,
                      "ratio": round(loaded["files_per_s"] / quiet["files_per_s"], 3)}))


if __name__ == "__main__":
    main()
