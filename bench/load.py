"""Load benchmark: Hearth's main pages in production configuration, against a minimal view.

    python bench/load.py [--duration 8] [--warmup 2] [--connections 50] [--rate 50]
                         [--latency-duration 60] [--baseline-latency-duration 20]
                         [--scale 10] [--keep-db]

Sets up its own PostgreSQL database (dropped and created): migrate, the demo school, then
`--scale` times its rows (hearth.demo_scale). Collects static files into a temporary folder,
signs each page's demo account in, and starts gunicorn (config/gunicorn.conf.py) with
whitenoise on PostgreSQL, HEARTH_PRODUCTION=true behind a TLS proxy: every request says
X-Forwarded-Proto: https and carries its account's session cookie.

1. Capacity: wrk, closed loop, 50 connections, no think time, each page in turn after a
   warm-up (one connection per worker thread). Between runs the benchmark waits until the
   server has finished what wrk left queued. Throughput as a share of the baseline's:
   /health/live, the smallest Django view behind the same middleware, no database, no
   session. Target: at least 40 %. Beside it, the signed-in floor: /api/me, which only finds
   the caller from the session cookie (the session and the account, two queries) and names
   them; no signed-in page can do less, so its share bounds every page's.
2. Latency: bench/loadgen.py sends 50 requests a second round-robin over the pages at fixed
   instants for 60 s, after a second of warm-up per page; latency counts from the scheduled
   instant, and answers slower than 10 s count as errors. Target: p95 at most 150 ms and no
   errors. The baseline's p95 comes from its own run at the same rate.

The gunicorn workers, PostgreSQL and the load generator share the machine's cores; each run
reports the CPU each took (from /proc). Stops everything it started, also on Ctrl+C, and
drops its database unless --keep-db. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import resource
import runpy
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
CONF = ROOT / "config" / "gunicorn.conf.py"
TICKS = os.sysconf("SC_CLK_TCK")
SHARE_TARGET = 0.40
P95_TARGET_MS = 150.0
BASELINE_PATH = "/health/live"
FLOOR_PATH = "/api/me"
PROXY = {"X-Forwarded-Proto": "https"}

SESSIONS = """
import json, django
django.setup()
from django.test import Client
from hearth.demo_scale import main_pages
from hearth.people.models import Person
pages = main_pages()
sessions = {}
for email in sorted({p.email for p in pages}):
    client = Client()
    client.force_login(Person.objects.get(email=email),
                       backend="django.contrib.auth.backends.ModelBackend")
    sessions[email] = client.cookies["sessionid"].value
print(json.dumps({
    "people": Person.objects.count(),
    "pages": [{"name": p.name, "email": p.email, "path": p.path, "session": sessions[p.email]}
              for p in pages],
}))
"""

WRK_SCRIPT = """
{headers}
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local non2xx = 0
  for _, t in ipairs(threads) do non2xx = non2xx + t:get("bad") end
  local e = summary.errors
  io.write(string.format(
    '{{"requests": %d, "duration_us": %d, "non2xx": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "timeout": %d, "p50_us": %d, "p95_us": %d}}\\n',
    summary.requests, summary.duration, non2xx, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(95)))
end
"""


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    headers: dict[str, str]


def signed_in_target(name: str, path: str, session: str) -> Target:
    return Target(name, path, {**PROXY, "Cookie": f"sessionid={session}"})


def capacity_figures(
    runs: dict[str, dict[str, Any]], name: str, first_status: dict[str, int]
) -> dict[str, Any]:
    """What a signed-in target's capacity run showed, beside the baseline's."""
    run = runs[name]
    return {
        "share_of_baseline": round(run["rps"] / runs["baseline"]["rps"], 3),
        "first_status": first_status[name],
        "capacity_errors": run["errors"],
        "capacity_other_cores": run["cpu"]["other_cores"],
    }


class Processes:
    """Everything started, each in its own process group, so all of it can be stopped."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, cmd: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(cmd, start_new_session=True, **kwargs)
        self.started.append(proc)
        return proc

    def run(self, cmd: list[str], env: dict[str, str], what: str) -> str:
        proc = self.start(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = proc.communicate()
        if proc.returncode:
            sys.stderr.write(err.decode(errors="replace")[-4000:])
            raise RuntimeError(f"{what} failed (exit {proc.returncode})")
        return out.decode()

    def stop_all(self) -> None:
        for proc in self.started:
            if proc.poll() is None:
                _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for proc in self.started:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
                proc.wait()
            # Members left behind by a leader that has gone (a group lives while they do).
            if _group_alive(proc.pid):
                _signal_group(proc, signal.SIGKILL)


def _group_alive(pgid: int) -> bool:
    return any(int(fields[2]) == pgid for _, _, fields in _proc_stat_lines())


def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


# --- CPU: who used the cores during a run -------------------------------------------------


def _proc_stat_lines() -> Iterator[tuple[int, str, list[str]]]:
    """(pid, command, the fields after the command) of every process, from /proc/<pid>/stat."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                raw = f.read()
        except OSError:
            continue
        yield (
            int(entry),
            raw[raw.index("(") + 1 : raw.rindex(")")],
            raw[raw.rindex(")") + 2 :].split(),
        )


def _proc_stats() -> dict[int, tuple[str, int, int, int]]:
    """pid -> (command, parent, own CPU ticks, reaped children's CPU ticks)."""
    return {
        pid: (comm, int(f[1]), int(f[11]) + int(f[12]), int(f[13]) + int(f[14]))
        for pid, comm, f in _proc_stat_lines()
    }


def _gunicorn_ticks(stats: dict[int, tuple[str, int, int, int]], master: int) -> int:
    """The master's time, its live workers' and that of the workers it has replaced."""
    ticks = sum(s[2] for s in stats.values() if s[1] == master)
    if master in stats:
        ticks += stats[master][2] + stats[master][3]
    return ticks


def wait_idle(master: int, db: psycopg.Connection[Any], limit: float = 300) -> float:
    """Wait while the server finishes requests a load generator left queued when it quit:
    until its workers use no CPU and no query of its database runs, twice in a row."""
    began = time.monotonic()
    last = _gunicorn_ticks(_proc_stats(), master)
    quiet = 0
    while quiet < 2 and time.monotonic() - began < limit:
        time.sleep(0.25)
        now = _gunicorn_ticks(_proc_stats(), master)
        row = db.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state <> 'idle' AND pid <> pg_backend_pid()"
        ).fetchone()
        idle = now - last <= 0.25 * TICKS * 0.05 and row is not None and row[0] == 0
        quiet = quiet + 1 if idle else 0
        last = now
    return time.monotonic() - began


@dataclass(frozen=True)
class CpuSample:
    at: float
    busy: int
    total: int
    gunicorn: int
    postgres: int
    loadgen: float

    @classmethod
    def take(cls, master: int) -> CpuSample:
        with open("/proc/stat") as f:
            cpu = [int(x) for x in f.readline().split()[1:9]]
        user, nice, system, idle, iowait, irq, softirq, steal = cpu
        stats = _proc_stats()
        gunicorn = _gunicorn_ticks(stats, master)
        pg = {pid for pid, s in stats.items() if s[0].startswith("postgres")}
        postgres = sum(stats[pid][2] for pid in pg)
        # The postmaster also holds the time of backends that have ended.
        postgres += sum(stats[pid][3] for pid in pg if stats[pid][1] not in pg)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return cls(
            at=time.monotonic(),
            busy=user + nice + system + irq + softirq + steal,
            total=user + nice + system + idle + iowait + irq + softirq + steal,
            gunicorn=gunicorn,
            postgres=postgres,
            loadgen=children.ru_utime + children.ru_stime,
        )

    def until(self, later: CpuSample, cores: int) -> dict[str, float]:
        """Cores used between the two samples: in all, and by each part."""
        wall = later.at - self.at
        busy_share = (later.busy - self.busy) / max(1, later.total - self.total)
        gunicorn = (later.gunicorn - self.gunicorn) / TICKS / wall
        postgres = (later.postgres - self.postgres) / TICKS / wall
        loadgen = (later.loadgen - self.loadgen) / wall
        busy = busy_share * cores
        return {
            "busy_pct": round(100 * busy_share, 1),
            "gunicorn_cores": round(gunicorn, 2),
            "postgres_cores": round(postgres, 2),
            "loadgen_cores": round(loadgen, 2),
            "other_cores": round(max(0.0, busy - gunicorn - postgres - loadgen), 2),
        }


def _cpu_line(cpu: dict[str, float]) -> str:
    return (
        f"CPU {cpu['busy_pct']:.0f} % busy: gunicorn {cpu['gunicorn_cores']:.2f}, "
        f"postgres {cpu['postgres_cores']:.2f}, load generator {cpu['loadgen_cores']:.2f}, "
        f"other {cpu['other_cores']:.2f} cores"
    )


# --- Set-up ---------------------------------------------------------------------------------


def _timed(steps: dict[str, float], name: str, began: float) -> None:
    steps[name] = round(time.perf_counter() - began, 1)
    print(f"  {name}: {steps[name]} s", flush=True)


def create_database(admin_url: str, name: str) -> None:
    with psycopg.connect(f"{admin_url}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(f"{admin_url}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_env(args: argparse.Namespace, tmp: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        HEARTH_PRODUCTION="true",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        BEHIND_TLS_PROXY="true",
        DATABASE_URL=f"{args.postgres}/{args.db}",
        DATABASE_CONN_MAX_AGE="600",
        STATICFILES_BACKEND="whitenoise.storage.CompressedManifestStaticFilesStorage",
        STATIC_ROOT=str(tmp / "static"),
        MEDIA_ROOT=str(tmp / "media"),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        HEARTH_BIND=f"127.0.0.1:{port}",
    )
    for name, value in (
        ("WEB_CONCURRENCY", args.workers),
        ("GUNICORN_WORKER_CLASS", args.worker_class),
        ("GUNICORN_THREADS", args.threads),
    ):
        if value is not None:
            env[name] = str(value)
    return env


def gunicorn_settings(env: dict[str, str]) -> dict[str, Any]:
    """What config/gunicorn.conf.py resolves to under the server's environment."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        conf = runpy.run_path(str(CONF))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    names = ["workers", "worker_class", "threads", "keepalive", "timeout", "max_requests"]
    names += ["max_requests_jitter", "preload_app"]
    return {name: conf[name] for name in names}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, len(response.read())
    finally:
        conn.close()


def start_server(
    procs: Processes, env: dict[str, str], port: int, workers: int, log: Path
) -> subprocess.Popen[bytes]:
    with open(log, "wb") as out:
        server = procs.start(
            [GUNICORN, "-c", str(CONF), "config.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log.read_text()[-4000:]}")
        booted = log.read_text().count("Booting worker")
        try:
            if booted >= workers and get(port, BASELINE_PATH, PROXY)[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer in 120 s:\n{log.read_text()[-4000:]}")


# --- Runs ------------------------------------------------------------------------------------


def capacity(
    procs: Processes, port: int, target: Target, seconds: int, connections: int, tmp: Path
) -> dict[str, Any]:
    """wrk, closed loop: requests per second with `connections` always waiting."""
    lines = [f'wrk.headers["{k}"] = "{v}"' for k, v in target.headers.items()]
    script = tmp / "wrk.lua"
    script.write_text(WRK_SCRIPT.format(headers="\n".join(lines)))
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s"]
    cmd += ["-s", str(script), f"http://127.0.0.1:{port}{target.path}"]
    proc = procs.start(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate()
    if proc.returncode:
        raise RuntimeError(f"wrk failed: {err.decode()}{out.decode()}")
    result = json.loads(out.decode().strip().splitlines()[-1])
    failures = sum(result[k] for k in ("connect", "read", "write", "timeout"))
    return {
        "rps": round(result["requests"] / (result["duration_us"] / 1e6), 1),
        "requests": result["requests"],
        "errors": result["non2xx"] + failures,
        "p50_ms": round(result["p50_us"] / 1000, 1),
        "p95_ms": round(result["p95_us"] / 1000, 1),
    }


def latency(
    procs: Processes,
    port: int,
    targets: list[Target],
    rate: float,
    seconds: float,
    timeout: float,
    tmp: Path,
) -> dict[str, Any]:
    """bench/loadgen.py, open loop: `rate` requests a second round-robin over the targets."""
    spec = tmp / "targets.json"
    spec.write_text(
        json.dumps([{"name": t.name, "path": t.path, "headers": t.headers} for t in targets])
    )
    cmd = [PYTHON, str(ROOT / "bench" / "loadgen.py"), "--url", f"http://127.0.0.1:{port}"]
    cmd += ["--targets", str(spec), "--rate", str(rate), "--duration", str(seconds)]
    cmd += ["--timeout", str(timeout)]
    proc = procs.start(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate()
    if proc.returncode:
        raise RuntimeError(f"loadgen failed: {err.decode()}")
    return json.loads(out.decode().strip().splitlines()[-1])


# --- Report ----------------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    with open("/proc/cpuinfo") as f:
        model = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "")
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    return {
        "cores": len(os.sched_getaffinity(0)),
        "cpu": model,
        "memory_gib": round(mem_kib / 2**20, 1),
        "load_average_at_start": _loadavg(),
    }


def code_version() -> dict[str, Any]:
    """The commit measured, and how many files differ from it (the server runs the tree)."""

    def git(*args: str) -> str:
        out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return out.stdout.strip()

    changed = [line for line in git("status", "--porcelain").splitlines() if line]
    return {"commit": git("rev-parse", "--short", "HEAD"), "files_changed": len(changed)}


def _loadavg() -> list[float]:
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def print_table(
    baseline: dict[str, Any], floor: dict[str, Any], pages: dict[str, dict[str, Any]]
) -> None:
    rows = [
        ("page", "rps", "share", ">=40%", "p95 ms", "errors", "p95<=150 & 0 errors", "other cores")
    ]
    rows.append(
        (
            "baseline " + BASELINE_PATH,
            f"{baseline['rps']:.0f}",
            "100 %",
            "",
            f"{baseline['p95_ms']:.1f}",
            str(baseline["errors"]),
            "",
            f"{baseline['capacity_other_cores']:.2f}",
        )
    )
    rows.append(
        (
            "signed-in floor " + FLOOR_PATH,
            f"{floor['rps']:.0f}",
            f"{100 * floor['share_of_baseline']:.0f} %",
            "PASS" if floor["share_of_baseline"] >= SHARE_TARGET else "MISS",
            "",
            "",
            "",
            f"{floor['capacity_other_cores']:.2f}",
        )
    )
    for name, page in pages.items():
        ok_share = page["share_of_baseline"] >= SHARE_TARGET
        ok_latency = page["p95_ms"] <= P95_TARGET_MS and page["errors"] == 0
        rows.append(
            (
                name,
                f"{page['rps']:.0f}",
                f"{100 * page['share_of_baseline']:.0f} %",
                "PASS" if ok_share else "MISS",
                f"{page['p95_ms']:.1f}",
                str(page["errors"]),
                "PASS" if ok_latency else "MISS",
                f"{page['capacity_other_cores']:.2f}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for i, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        print("  ".join(cells))
        if i == 0:
            print("  ".join("-" * w for w in widths))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=int, default=8, help="seconds of each capacity run")
    ap.add_argument("--warmup", type=int, default=2, help="seconds of warm-up before each")
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--rate", type=float, default=50, help="requests/s of the latency runs")
    ap.add_argument("--latency-duration", type=float, default=60)
    ap.add_argument("--baseline-latency-duration", type=float, default=20)
    ap.add_argument(
        "--latency-timeout", type=float, default=10, help="seconds before a request is an error"
    )
    ap.add_argument("--scale", type=int, default=10, help="times the demo school's rows")
    ap.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    ap.add_argument("--db", default="hearth_load")
    ap.add_argument("--keep-db", action="store_true", help="leave the database for a rerun")
    ap.add_argument(
        "--reuse-db", action="store_true", help="use the database a --keep-db run left; keep it"
    )
    ap.add_argument("--pages", default="", help="only pages whose name contains this")
    ap.add_argument("--workers", type=int, help="override WEB_CONCURRENCY")
    ap.add_argument("--worker-class", help="override GUNICORN_WORKER_CLASS (sync, gthread)")
    ap.add_argument("--threads", type=int, help="override GUNICORN_THREADS")
    args = ap.parse_args()

    # A plain `kill` stops the benchmark as Ctrl+C does: through the clean-up below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with it ignored
    began = time.perf_counter()
    machine = machine_info()
    code = code_version()
    print(
        f"{machine['cores']} cores ({machine['cpu']}), {machine['memory_gib']} GiB; load average "
        f"{' '.join(map(str, machine['load_average_at_start']))}; code {code['commit']} with "
        f"{code['files_changed']} files changed",
        flush=True,
    )
    procs = Processes()
    tmp = Path(tempfile.mkdtemp(prefix="hearth-load-"))
    created = False
    db: psycopg.Connection[Any] | None = None
    try:
        port = free_port()
        env = server_env(args, tmp, port)
        server_conf = gunicorn_settings(env)
        steps: dict[str, float] = {}
        print(f"Setting up database {args.db} (x{args.scale} demo school) ...", flush=True)
        manage = [PYTHON, "manage.py"]
        if not args.reuse_db:
            t = time.perf_counter()
            create_database(args.postgres, args.db)
            created = True
            _timed(steps, "create database", t)
            t = time.perf_counter()
            procs.run([*manage, "migrate", "--no-input"], env, "migrate")
            _timed(steps, "migrate", t)
            t = time.perf_counter()
            procs.run([*manage, "seed_demo"], env, "seed_demo")
            _timed(steps, "seed demo school", t)
            t = time.perf_counter()
            multiply = "import django; django.setup(); from hearth.demo_scale import "
            multiply += f"multiply_demo; multiply_demo({args.scale})"
            procs.run([PYTHON, "-c", multiply], env, "multiply_demo")
            _timed(steps, f"multiply x{args.scale}", t)
        t = time.perf_counter()
        procs.run([*manage, "collectstatic", "--no-input", "-v0"], env, "collectstatic")
        _timed(steps, "collectstatic", t)
        t = time.perf_counter()
        out = procs.run([PYTHON, "-c", SESSIONS], env, "sessions")
        signed_in = json.loads(out.strip().splitlines()[-1])
        _timed(steps, "sign accounts in", t)
        t = time.perf_counter()
        server = start_server(procs, env, port, server_conf["workers"], tmp / "gunicorn.log")
        _timed(steps, "start gunicorn", t)

        db = psycopg.connect(f"{args.postgres}/{args.db}", autocommit=True)
        baseline = Target("baseline", BASELINE_PATH, PROXY)
        # Any account will do: /api/me reads nothing but who is calling.
        floor = signed_in_target("signed-in floor", FLOOR_PATH, signed_in["pages"][0]["session"])
        targets = [
            signed_in_target(p["name"], p["path"], p["session"])
            for p in signed_in["pages"]
            if args.pages.lower() in p["name"].lower()
        ]
        print(f"\n{signed_in['people']} people; pages answer (status, bytes):", flush=True)
        first_status = {}
        for target in [baseline, floor, *targets]:
            status, size = get(port, target.path, target.headers)
            first_status[target.name] = status
            print(f"  {status} {size:>8}  {target.name}  {target.path}", flush=True)

        cores = machine["cores"]
        print(
            f"\nSharing {cores} cores: gunicorn master + {server_conf['workers']} "
            f"{server_conf['worker_class']} workers x {server_conf['threads']} threads "
            f"(pid {server.pid}), PostgreSQL 127.0.0.1 (its every process counted), the load "
            "generator (wrk -t1 for capacity, bench/loadgen.py for latency; this script waits).",
            flush=True,
        )
        print(
            f"\nCapacity: wrk, {args.connections} connections, {args.warmup:g} s warm-up + "
            f"{args.duration:g} s per page",
            flush=True,
        )
        runs: dict[str, dict[str, Any]] = {}
        warm_connections = server_conf["workers"] * server_conf["threads"]
        # The baseline again at the end: how much the machine changed while the pages ran.
        again = Target("baseline (again)", BASELINE_PATH, PROXY)
        for target in [baseline, floor, *targets, again]:
            # Warm-up: as many connections as workers, so little is left queued behind it.
            capacity(procs, port, target, args.warmup, warm_connections, tmp)
            wait_idle(server.pid, db)
            before = CpuSample.take(server.pid)
            result = capacity(procs, port, target, args.duration, args.connections, tmp)
            result["cpu"] = before.until(CpuSample.take(server.pid), cores)
            result["drain_seconds"] = round(wait_idle(server.pid, db), 1)
            runs[target.name] = result
            print(
                f"  {result['rps']:8.1f} rps  {result['errors']:>5} errors  "
                f"{target.name:<24} {_cpu_line(result['cpu'])}; "
                f"drained in {result['drain_seconds']:g} s",
                flush=True,
            )

        print(
            f"\nLatency: open loop, {args.rate:g} requests/s; baseline "
            f"{args.baseline_latency_duration:g} s, then the pages round-robin "
            f"{args.latency_duration:g} s",
            flush=True,
        )
        before = CpuSample.take(server.pid)
        base_latency = latency(
            procs,
            port,
            [baseline],
            args.rate,
            args.baseline_latency_duration,
            args.latency_timeout,
            tmp,
        )
        base_latency["cpu"] = before.until(CpuSample.take(server.pid), cores)
        print(f"  baseline: {_cpu_line(base_latency['cpu'])}", flush=True)
        # Workers the baseline runs replaced (max_requests) have not rendered a page yet: one
        # second of each page, one connection per worker, so the run starts as warm as the
        # capacity runs did.
        for target in targets:
            capacity(procs, port, target, 1, warm_connections, tmp)
        wait_idle(server.pid, db)
        before = CpuSample.take(server.pid)
        page_latency = latency(
            procs, port, targets, args.rate, args.latency_duration, args.latency_timeout, tmp
        )
        page_latency["cpu"] = before.until(CpuSample.take(server.pid), cores)
        print(f"  pages: {_cpu_line(page_latency['cpu'])}", flush=True)
        tenths = ", ".join(f"{x:.0f}" for x in page_latency["p50_ms_by_tenth"] if x is not None)
        print(f"  median latency (ms) in each tenth of the pages' run: {tenths}", flush=True)
        print(
            f"  loadgen: latest send {page_latency['latest_send_ms']} ms after its instant, "
            f"{page_latency['most_in_flight']} requests in flight at most, "
            f"{page_latency['connections_opened']} connections opened",
            flush=True,
        )
        log = (tmp / "gunicorn.log").read_text()
        server_conf["worker_timeouts"] = log.count("WORKER TIMEOUT")
        server_conf["workers_booted"] = log.count("Booting worker")
    finally:
        if db is not None:
            db.close()
        procs.stop_all()
        shutil.rmtree(tmp, ignore_errors=True)
        if created and not args.keep_db:
            drop_database(args.postgres, args.db)

    base = base_latency["targets"]["baseline"]
    result = {
        "baseline": {
            "path": BASELINE_PATH,
            "rps": runs["baseline"]["rps"],
            "p95_ms": base["p95_ms"],
            "errors": base["errors"],
            "capacity_errors": runs["baseline"]["errors"],
            "p50_ms": base["p50_ms"],
            "capacity_other_cores": runs["baseline"]["cpu"]["other_cores"],
            "rps_after_pages": runs[again.name]["rps"],
        },
        "signed_in_floor": {
            "path": FLOOR_PATH,
            "rps": runs[floor.name]["rps"],
            **capacity_figures(runs, floor.name, first_status),
        },
        "pages": {},
    }
    for target in targets:
        lat = page_latency["targets"][target.name]
        result["pages"][target.name] = {
            "rps": runs[target.name]["rps"],
            "p95_ms": lat["p95_ms"],
            "errors": lat["errors"],
            "path": target.path,
            **capacity_figures(runs, target.name, first_status),
            "p50_ms": lat["p50_ms"],
            "max_ms": lat["max_ms"],
            "latency_requests": lat["requests"],
            "statuses": lat["statuses"],
        }
    print()
    print_table(result["baseline"], result["signed_in_floor"], result["pages"])
    print(
        f"rps: capacity runs; p95 and errors: the open-loop runs; other cores: CPU that other "
        f"processes on the machine took during the page's capacity run. The baseline measured "
        f"again after the pages: {runs[again.name]['rps']:.0f} rps."
    )
    pages = result["pages"].values()
    print(
        f"\n{sum(p['share_of_baseline'] >= SHARE_TARGET for p in pages)} of {len(pages)} pages "
        f"reach {SHARE_TARGET:.0%} of the baseline's throughput; "
        f"{sum(p['p95_ms'] <= P95_TARGET_MS and p['errors'] == 0 for p in pages)} of "
        f"{len(pages)} answer within {P95_TARGET_MS:g} ms at p95 without errors. A signed-in "
        f"request that does nothing but find its caller reaches "
        f"{result['signed_in_floor']['share_of_baseline']:.0%}."
    )
    machine["load_average_at_end"] = _loadavg()
    machine["capacity_cpu"] = {name: run["cpu"] for name, run in runs.items()}
    machine["latency_cpu"] = {"baseline": base_latency["cpu"], "pages": page_latency["cpu"]}
    result["latency_p50_ms_by_tenth"] = page_latency["p50_ms_by_tenth"]
    machine["shared_with"] = [
        "gunicorn master and workers",
        "PostgreSQL (all its processes)",
        "load generator (wrk -t1 or bench/loadgen.py)",
    ]
    result.update(
        machine=machine,
        server={"gunicorn": server_conf, "database": "PostgreSQL 127.0.0.1, CONN_MAX_AGE=600"},
        load={
            "connections": args.connections,
            "capacity_seconds": args.duration,
            "warmup_seconds": args.warmup,
            "rate": args.rate,
            "latency_seconds": args.latency_duration,
            "baseline_latency_seconds": args.baseline_latency_duration,
            "order": "round-robin",
            "latency_timeout_seconds": args.latency_timeout,
        },
        code=code,
        scale=args.scale,
        people=signed_in["people"],
        setup=steps,
        targets={"share_of_baseline": SHARE_TARGET, "p95_ms": P95_TARGET_MS},
        seconds=round(time.perf_counter() - began, 1),
    )
    print(f"took {result['seconds']:.0f} s")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
