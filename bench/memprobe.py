"""Where a Client's and a scheduler's memory goes per task, without any dashboard.

The attribution behind bench/SOAK.md's "Where the remaining growth comes from":
runs batches of tiny tasks against a subprocess scheduler and, after each batch,
records RSS, live Python allocations, gc object counts by type, the sizes of the
scheduler's and Client's containers and of every connection's recent-message
log (and, with --tracemalloc, the top allocation sites).  No dashboard, no
plugin: this measures distributed itself.  Run by hand:

  python -m bench.memprobe --batches 10 --batch-size 20000 [--tracemalloc] [--trim-each]
                           [--out result.json] [--config key=value ...]
  python -m bench.memprobe_analyze result.json
"""

import argparse
import collections
import contextlib
import ctypes
import gc
import json
import os
import socket
import subprocess
import sys
import tempfile
import time


# ----------------------------------------------------------------------------
# Probe helpers (these functions are shipped to the scheduler by cloudpickle;
# everything they need is imported inside them).
# ----------------------------------------------------------------------------
def _probe(
    root,
    state_attr,
    label,
    do_tracemalloc_start=False,
    nframes=8,
    trim=False,
    top=25,
    scan_roots=None,
):
    import os
    import sys
    import tempfile
    import tracemalloc

    import psutil

    st = getattr(root, state_attr, None)
    if st is None:
        st = {}
        setattr(root, state_attr, st)

    if do_tracemalloc_start:
        tracemalloc.start(nframes)
        return {"tracemalloc_started": True}

    out = {"label": label}
    gc.collect()
    libc = ctypes.CDLL("libc.so.6")

    class MallInfo2(ctypes.Structure):
        _fields_ = [
            (n, ctypes.c_size_t)
            for n in (
                "arena",
                "ordblks",
                "smblks",
                "hblks",
                "hblkhd",
                "usmblks",
                "fsmblks",
                "uordblks",
                "fordblks",
                "keepcost",
            )
        ]

    def mallinfo():
        try:
            f = libc.mallinfo2
            f.restype = MallInfo2
            m = f()
            return {
                "arena": m.arena,
                "hblkhd": m.hblkhd,
                "uordblks": m.uordblks,
                "fordblks": m.fordblks,
            }
        except Exception as e:  # pragma: no cover
            return {"err": repr(e)}

    def pymalloc_stats():
        # capture sys._debugmallocstats() (writes to C stderr)
        res = {}
        try:
            sys.stderr.flush()
            fd = os.dup(2)
            with tempfile.TemporaryFile(mode="w+b") as tf:
                os.dup2(tf.fileno(), 2)
                try:
                    sys._debugmallocstats()
                finally:
                    os.dup2(fd, 2)
                    os.close(fd)
                tf.seek(0)
                txt = tf.read().decode(errors="replace")
            for line in txt.splitlines():
                if line.startswith("#") and "=" in line:
                    k, v = line[1:].split("=", 1)
                    k = k.strip()
                    if k in (
                        "arenas allocated current",
                        "bytes in allocated blocks",
                        "bytes in available blocks",
                        "unused pools * 16384",
                        "bytes lost to pool headers",
                        "bytes lost to quantization",
                        "bytes lost to arena alignment",
                        "Total",
                    ):
                        res[k] = int(v.strip().replace(",", ""))
        except Exception as e:  # pragma: no cover
            res["err"] = repr(e)
        return res

    proc = psutil.Process()
    out["rss"] = proc.memory_info().rss
    out["blocks"] = sys.getallocatedblocks()
    objs = gc.get_objects()
    out["n_gc_objects"] = len(objs)
    cnt = collections.Counter(type(o).__qualname__ for o in objs)
    del objs
    out["mallinfo"] = mallinfo()
    out["pymalloc"] = pymalloc_stats()
    if "base_counter" not in st:
        st["base_counter"] = cnt
    base = st["base_counter"]
    diff = {k: cnt[k] - base.get(k, 0) for k in set(cnt) | set(base)}
    out["type_growth"] = sorted(((v, k) for k, v in diff.items() if v), reverse=True)[:top]
    out["type_shrink"] = sorted(((v, k) for k, v in diff.items() if v < 0))[:5]

    # ---- generic container scan --------------------------------------------
    import collections.abc as cabc

    def clen(x):
        try:
            if isinstance(x, (str, bytes)):
                return None
            if (isinstance(x, (cabc.Sized,)) and not hasattr(x, "__dict__")) or isinstance(
                x, (dict, list, set, frozenset, tuple, collections.deque)
            ):
                return len(x)
            if type(x).__name__ in (
                "SortedDict",
                "SortedSet",
                "SortedList",
                "HeapSet",
                "WeakValueDictionary",
                "WeakKeyDictionary",
                "WeakSet",
                "LRU",
                "Topic",
            ):
                return len(x)
        except Exception:
            return None
        return None

    def attrs(o):
        names = []
        d = getattr(o, "__dict__", None)
        if isinstance(d, dict):
            names.extend(d.keys())
        for klass in type(o).__mro__:
            for s in getattr(klass, "__slots__", ()) or ():
                if isinstance(s, str) and s not in ("__dict__", "__weakref__"):
                    names.append(s)
        res = []
        for n in names:
            with contextlib.suppress(Exception):
                res.append((n, getattr(o, n)))
        return res

    SKIP_MODULES = (
        "builtins",
        "asyncio",
        "tornado",
        "logging",
        "threading",
        "socket",
        "ssl",
        "concurrent",
        "psutil",
        "types",
    )

    def is_obj(x):
        m = type(x).__module__ or ""
        if isinstance(x, type) or (callable(x) and not hasattr(x, "__dict__")):
            return False
        return (
            (hasattr(x, "__dict__") or hasattr(type(x), "__slots__"))
            and not m.startswith(SKIP_MODULES)
            and clen(x) is None
        )

    sizes = collections.Counter()
    seen = set()

    def scan(o, path, depth):
        if id(o) in seen or depth > 3:
            return
        seen.add(id(o))
        for n, v in attrs(o):
            p = f"{path}.{n}"
            L = clen(v)
            if L is not None:
                sizes[p] += L
                # aggregate over members that are objects (e.g. workers, prefixes)
                vals = (
                    v.values()
                    if isinstance(v, dict)
                    else (v if isinstance(v, (list, set, collections.deque)) else ())
                )
                k = 0
                for item in list(vals):
                    if is_obj(item):
                        k += 1
                        if k > 5000:
                            break
                        for n2, v2 in attrs(item):
                            L2 = clen(v2)
                            if L2 is not None:
                                sizes[f"{p}[*].{n2}"] += L2
                                # one more level for dict-of-dicts/lists
                                if isinstance(v2, dict) and depth < 2:
                                    for v3 in list(v2.values())[:5000]:
                                        L3 = clen(v3)
                                        if L3 is not None:
                                            sizes[f"{p}[*].{n2}[*]"] += L3
                            elif is_obj(v2) and depth < 1:
                                scan(v2, f"{p}[*].{n2}", depth + 2)
                    elif isinstance(item, (dict, list, set, collections.deque)):
                        sizes[f"{p}[*]"] += len(item)
            elif is_obj(v):
                scan(v, p, depth + 1)

    for name, obj in (scan_roots or {"root": root}).items():
        if isinstance(obj, str):
            obj = eval(obj, {"root": root})
        scan(obj, name, 0)
    if "base_sizes" not in st:
        st["base_sizes"] = dict(sizes)
    bs = st["base_sizes"]
    out["sizes"] = dict(sizes)
    out["size_growth"] = sorted(
        ((sizes[k] - bs.get(k, 0), k) for k in sizes if sizes[k] - bs.get(k, 0) != 0), reverse=True
    )[:top]

    # ---- BatchedSend recent_message_log (deep size) ----------------------------
    def deep_size(o, seen):
        tot = 0
        stack = [o]
        while stack:
            x = stack.pop()
            if id(x) in seen:
                continue
            seen.add(id(x))
            with contextlib.suppress(Exception):
                tot += sys.getsizeof(x)
            if isinstance(x, dict):
                stack.extend(x.keys())
                stack.extend(x.values())
            elif isinstance(x, (list, tuple, set, frozenset, collections.deque)):
                stack.extend(x)
            elif isinstance(x, (str, bytes, int, float, type(None), bool, type)) or (
                callable(x) and not hasattr(x, "__slots__")
            ):
                pass
            else:
                d = getattr(x, "__dict__", None)
                if isinstance(d, dict):
                    stack.append(d)
                for klass in type(x).__mro__:
                    for sl in getattr(klass, "__slots__", ()) or ():
                        if isinstance(sl, str) and sl not in ("__dict__", "__weakref__"):
                            with contextlib.suppress(Exception):
                                stack.append(getattr(x, sl))
        return tot

    bsends = {}
    for attr in ("stream_comms", "client_comms"):
        for k, bs_ in (getattr(root, attr, None) or {}).items():
            bsends[f"{attr}[{k}]"] = bs_
    if getattr(root, "scheduler_comm", None) is not None:
        bsends["scheduler_comm"] = root.scheduler_comm
    bslog = {}
    seen2 = set()
    for k, b in bsends.items():
        log = getattr(b, "recent_message_log", None)
        if log is None:
            continue
        for _ in range(100):
            try:
                log = list(log)
                break
            except RuntimeError:  # mutated by the loop thread (client side)
                pass
        maxlen = b.recent_message_log.maxlen
        nmsgs = sum(len(p) if isinstance(p, list) else 1 for p in log)
        ops = collections.Counter()
        for p in log:
            if isinstance(p, list):
                for m in p:
                    if isinstance(m, dict):
                        ops[m.get("op")] += 1
        bslog[k] = {
            "batches": len(log),
            "maxlen": maxlen,
            "msgs": nmsgs,
            "deep_bytes": deep_size(log, seen2),
            "ops": dict(ops.most_common(6)),
            "buffer": len(b.buffer),
        }
    out["batched_logs"] = bslog
    try:
        import dask.utils

        ci = dask.utils.key_split.cache_info()
        out["key_split_cache"] = {"currsize": ci.currsize, "maxsize": ci.maxsize}
    except Exception as e:
        out["key_split_cache"] = repr(e)
    out["batched_logs_total_bytes"] = sum(v["deep_bytes"] for v in bslog.values())

    # ---- tracemalloc ---------------------------------------------------------
    if tracemalloc.is_tracing():
        cur, _peak = tracemalloc.get_traced_memory()
        out["tm_current"] = cur
        snap = tracemalloc.take_snapshot().filter_traces(
            [
                tracemalloc.Filter(False, tracemalloc.__file__),
                tracemalloc.Filter(False, "<frozen importlib._bootstrap>"),
            ]
        )
        if "base_snap" not in st:
            st["base_snap"] = snap
        else:
            stats = snap.compare_to(st["base_snap"], "lineno")
            out["tm_lineno"] = [
                (s.size_diff, s.count_diff, str(s.traceback[0])) for s in stats[:top]
            ]
            stats = snap.compare_to(st["base_snap"], "traceback")
            out["tm_traceback"] = [
                (s.size_diff, s.count_diff, [str(f) for f in s.traceback]) for s in stats[:8]
            ]
    if trim:
        libc.malloc_trim(0)
        out["rss_after_trim"] = proc.memory_info().rss
        out["mallinfo_after_trim"] = mallinfo()
    return out


def sched_probe(dask_scheduler, label, start_tm=False, nframes=8, trim=False):
    roots = {"S": dask_scheduler}
    for k, ext in dask_scheduler.extensions.items():
        roots[f"ext[{k}]"] = ext
    roots["S._broker"] = dask_scheduler._broker
    return _probe(dask_scheduler, "_memprobe", label, start_tm, nframes, trim, scan_roots=roots)


def client_probe(client, label, start_tm=False, nframes=8, trim=False):
    return _probe(client, "_memprobe", label, start_tm, nframes, trim, scan_roots={"C": client})


# ----------------------------------------------------------------------------
def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def fmt(n):
    return f"{n / 2**20:8.1f}MiB"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batches", type=int, default=10)
    ap.add_argument("--batch-size", type=int, default=20000)
    ap.add_argument("--tracemalloc", action="store_true")
    ap.add_argument("--nframes", type=int, default=8)
    ap.add_argument(
        "--trim-each", action="store_true", help="malloc_trim(0) after each measurement"
    )
    ap.add_argument("--out", default="memprobe-result.json")
    ap.add_argument(
        "--config",
        action="append",
        default=[],
        help="dask config key=value, exported as DASK_ env for all procs",
    )
    args = ap.parse_args()

    env = dict(os.environ)
    for kv in args.config:
        k, v = kv.split("=", 1)
        env["DASK_" + k.upper().replace(".", "__").replace("-", "_")] = v
        os.environ["DASK_" + k.upper().replace(".", "__").replace("-", "_")] = v

    port = free_port()
    with open(os.path.join(tempfile.gettempdir(), f"memprobe-procs-{port}.log"), "w") as logs:
        sched = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "distributed.cli.dask_scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-dashboard",
            ],
            env=env,
            stdout=logs,
            stderr=logs,
        )
        time.sleep(3)
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "distributed.cli.dask_worker",
                f"tcp://127.0.0.1:{port}",
                "--nworkers",
                "2",
                "--nthreads",
                "1",
                "--no-dashboard",
                "--host",
                "127.0.0.1",
            ],
            env=env,
            stdout=logs,
            stderr=logs,
        )
    print(f"scheduler pid={sched.pid} worker pid={worker.pid} port={port}", flush=True)
    results = {"args": vars(args), "sched": [], "client": [], "tasks": []}
    import dask
    from distributed import Client

    try:
        client = Client(f"tcp://127.0.0.1:{port}")
        client.wait_for_workers(2, timeout=60)
        print(
            "config:",
            {
                k: dask.config.get(k)
                for k in (
                    "distributed.admin.low-level-log-length",
                    "distributed.diagnostics.computations.max-history",
                )
            },
            flush=True,
        )
        if args.tracemalloc:
            client.run_on_scheduler(sched_probe, label="start", start_tm=True, nframes=args.nframes)
            client_probe(client, "start", start_tm=True, nframes=args.nframes)
        start = 0
        t0 = time.time()
        for _ in range(args.batches):
            futures = client.map(int, range(start, start + args.batch_size), pure=False)
            res = client.gather(futures)
            assert len(res) == args.batch_size
            del futures, res
            start += args.batch_size
            # wait for the scheduler to forget the tasks
            for _ in range(200):
                n = client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks))
                if n == 0:
                    break
                time.sleep(0.05)
            s = client.run_on_scheduler(sched_probe, label=start, trim=args.trim_each)
            c = client_probe(client, start, trim=args.trim_each)
            results["sched"].append(s)
            results["client"].append(c)
            results["tasks"].append(start)
            print(
                f"[{time.time() - t0:6.1f}s] tasks={start:7d} "
                f"SCHED rss={fmt(s['rss'])} blocks={s['blocks']:9d} "
                f"gcobj={s['n_gc_objects']:8d} tm={fmt(s.get('tm_current', 0))} "
                f"bslog={fmt(s['batched_logs_total_bytes'])} "
                f"ks={s['key_split_cache']['currsize']} | "
                f"CLIENT rss={fmt(c['rss'])} blocks={c['blocks']:9d} "
                f"gcobj={c['n_gc_objects']:8d} tm={fmt(c.get('tm_current', 0))} "
                f"bslog={fmt(c['batched_logs_total_bytes'])} ks={c['key_split_cache']['currsize']}",
                flush=True,
            )
            with open(args.out, "w") as f:
                json.dump(results, f, indent=1, default=str)
        # final: trim both
        s = client.run_on_scheduler(sched_probe, label="final-trim", trim=True)
        c = client_probe(client, "final-trim", trim=True)
        results["final_trim"] = {"sched": s, "client": c}
        print(
            f"final trim: SCHED rss {fmt(s['rss'])} -> {fmt(s['rss_after_trim'])}; "
            f"CLIENT rss {fmt(c['rss'])} -> {fmt(c['rss_after_trim'])}",
            flush=True,
        )
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1, default=str)
        client.close()
    finally:
        worker.terminate()
        sched.terminate()
        try:
            worker.wait(20)
            sched.wait(20)
        except Exception:
            worker.kill()
            sched.kill()


if __name__ == "__main__":
    main()
