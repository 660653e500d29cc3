"""Open-loop HTTP load: requests leave at fixed instants whatever the server is doing.

    python bench/loadgen.py --url http://127.0.0.1:8001 --targets t.json --rate 50 --duration 60

targets.json is a list of {"name", "path", "headers"}; request i goes to target i mod n at
t0 + i / rate. Latency runs from that scheduled instant to the last byte of the response, so
a request that waits for a free connection or a busy server counts its wait (no coordinated
omission). Connections are HTTP/1.1 keep-alive, opened as needed up to --max-connections; a
server that closes after each response (gunicorn's sync workers) gets a new one each time.
Errors are non-2xx answers, connection failures and answers slower than --timeout. The last
line is one JSON object with each target's count, errors and latency percentiles.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import time
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Target:
    name: str
    path: str
    headers: dict[str, str]
    latencies: list[float] = field(default_factory=list)
    sent_at: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    errors: int = 0


class Connections:
    """Idle keep-alive connections, and a cap on how many are open at once."""

    def __init__(self, host: str, port: int, limit: int) -> None:
        self.host, self.port = host, port
        self.idle: deque[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = deque()
        self.slots = asyncio.Semaphore(limit)
        self.opened = 0
        self.most_open = 0
        self._open = 0

    async def take(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, bool]:
        await self.slots.acquire()
        self._open += 1
        self.most_open = max(self.most_open, self._open)
        if self.idle:
            return (*self.idle.pop(), True)
        try:
            reader, writer = await asyncio.open_connection(self.host, self.port)
        except BaseException:
            self._release()
            raise
        self.opened += 1
        return reader, writer, False

    def _release(self) -> None:
        self._open -= 1
        self.slots.release()

    def give_back(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, keep: bool
    ) -> None:
        if keep:
            self.idle.append((reader, writer))
        else:
            writer.close()
        self._release()


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one HTTP/1.1 response; return its status and whether the connection stays open."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    version, status = lines[0].split(" ", 2)[:2]
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            headers[key.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    else:
        await reader.read()  # body runs to the end of the connection
        return int(status), False
    keep = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
    return int(status), keep


async def exchange(pool: Connections, request: bytes) -> int:
    """Send one request and read its response; return the status."""
    for attempt in range(2):
        reader, writer, reused = await pool.take()
        keep = False  # a connection left mid-response (error, timeout) is closed
        try:
            writer.write(request)
            await writer.drain()
            status, keep = await read_response(reader)
            return status
        except (OSError, asyncio.IncompleteReadError):
            # A kept-alive connection the server had just closed: retry once on a new one,
            # as browsers and proxies do. The wait still counts.
            if reused and attempt == 0:
                continue
            raise
        finally:
            pool.give_back(reader, writer, keep)
    raise AssertionError("unreachable")


async def one_request(
    pool: Connections, target: Target, host: str, scheduled: float, timeout: float
) -> None:
    head = f"GET {target.path} HTTP/1.1\r\nHost: {host}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in target.headers.items()) + "\r\n"
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(timeout):
            status = await exchange(pool, head.encode("latin-1"))
        outcome = str(status)
        failed = not 200 <= status < 300
    except (OSError, asyncio.IncompleteReadError, TimeoutError) as error:
        outcome = "timeout" if isinstance(error, TimeoutError) else type(error).__name__
        failed = True
    target.latencies.append(loop.time() - scheduled)
    target.sent_at.append(scheduled)
    target.statuses[outcome] = target.statuses.get(outcome, 0) + 1
    target.errors += failed


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value at least `share` of the values do not exceed."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


async def run(args: argparse.Namespace, targets: list[Target]) -> dict[str, object]:
    url = urlsplit(args.url)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    pool = Connections(host, port, args.max_connections)
    loop = asyncio.get_running_loop()
    total = round(args.rate * args.duration)
    tasks = []
    late = 0.0
    start = loop.time() + 0.1
    for i in range(total):
        scheduled = start + i / args.rate
        delay = scheduled - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        late = max(late, loop.time() - scheduled)
        target = targets[i % len(targets)]
        tasks.append(
            asyncio.create_task(one_request(pool, target, url.netloc, scheduled, args.timeout))
        )
    await asyncio.gather(*tasks)
    elapsed = loop.time() - start
    for _, writer in pool.idle:
        writer.close()
    out: dict[str, object] = {}
    for t in targets:
        ms = [x * 1000 for x in t.latencies]
        out[t.name] = {
            "requests": len(ms),
            "errors": t.errors,
            "statuses": t.statuses,
            "p50_ms": round(percentile(ms, 0.50), 1),
            "p95_ms": round(percentile(ms, 0.95), 1),
            "p99_ms": round(percentile(ms, 0.99), 1),
            "max_ms": round(max(ms), 1),
        }
    # Median latency of all targets per tenth of the run: flat if the server keeps up, rising
    # if requests queue faster than it answers.
    tenth = args.duration / 10
    windows: list[list[float]] = [[] for _ in range(10)]
    for t in targets:
        for sent, seconds in zip(t.sent_at, t.latencies, strict=True):
            windows[min(9, int((sent - start) / tenth))].append(seconds * 1000)
    return {
        "rate": args.rate,
        "p50_ms_by_tenth": [round(percentile(w, 0.5), 1) if w else None for w in windows],
        "requests": total,
        "seconds": round(elapsed, 2),
        "connections_opened": pool.opened,
        "most_in_flight": pool.most_open,
        "latest_send_ms": round(late * 1000, 1),
        "targets": out,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True, help="scheme://host:port of the server")
    ap.add_argument("--targets", required=True, help="JSON file: [{name, path, headers}]")
    ap.add_argument("--rate", type=float, default=50.0, help="requests per second")
    ap.add_argument("--duration", type=float, default=60.0, help="seconds of sending")
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds before an error")
    ap.add_argument("--max-connections", type=int, default=512)
    args = ap.parse_args()
    with open(args.targets) as f:
        targets = [Target(t["name"], t["path"], t.get("headers", {})) for t in json.load(f)]
    began = time.perf_counter()
    result = asyncio.run(run(args, targets))
    result["wall_seconds"] = round(time.perf_counter() - began, 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
