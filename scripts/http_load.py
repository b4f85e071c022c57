"""Load for the benchmarks' web servers: a server in a process of its own, and a lean
HTTP/1.1 client that posts prepared requests over keep-alive connections, as fast as they
are answered or at a fixed rate, and measures each one."""

import asyncio
import os
import socket
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from dialer.sim.replay import Signed


class Server:
    """A web process on a port of its own, until the block ends."""

    def __init__(self, port: int, args: list[str], env: dict[str, str]) -> None:
        self.port, self.args, self.env = port, args, env
        self.base = f"http://127.0.0.1:{port}"
        self.process: asyncio.subprocess.Process | None = None
        self.workdir = tempfile.TemporaryDirectory()  # no stray .env is read

    async def __aenter__(self) -> "Server":
        with socket.socket() as probe:  # another server there would answer in its place
            probe.bind(("127.0.0.1", self.port))
        self.process = await asyncio.create_subprocess_exec(
            *self.args, env=self.env, cwd=self.workdir.name, stdout=asyncio.subprocess.DEVNULL
        )
        async with aiohttp.ClientSession() as http:
            for _ in range(300):
                if self.process.returncode is not None:
                    raise RuntimeError(f"{self.args[1]} exited with {self.process.returncode}")
                try:
                    async with http.get(self.base + "/", allow_redirects=False):
                        return self
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
        raise RuntimeError(f"{self.args[1]} did not start")

    def cpu_seconds(self) -> float:
        """CPU time the process has used so far (Linux)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def __aexit__(self, *_: object) -> None:
        if self.process.returncode is None:
            self.process.terminate()
        await self.process.wait()
        self.workdir.cleanup()


@dataclass
class Run:
    seconds: float
    server_cpu_seconds: float
    latencies: list[float]
    answers: Counter[int]


class Keepalive(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection, one request at a time: a load client as lean as the
    servers it measures, so it takes little of the CPU they share."""

    def __init__(self) -> None:
        self.buffer, self.answer = bytearray(), None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end]).lower()
        at = head.find(b"\r\ncontent-length:")
        length = int(head[at + 17 :].split(b"\r\n", 1)[0]) if at >= 0 else 0
        if len(self.buffer) >= end + 4 + length:
            status = int(self.buffer[9:12])
            del self.buffer[: end + 4 + length]
            self.answer.set_result(status)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.answer is not None and not self.answer.done():
            self.answer.set_exception(ConnectionError("the server closed the connection"))

    async def post(self, raw: bytes) -> int:
        self.answer = asyncio.get_running_loop().create_future()
        self.transport.write(raw)
        return await self.answer


def raw_request(request: Signed) -> bytes:
    headers = request.headers | {"Host": "127.0.0.1", "Content-Length": str(len(request.body))}
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return f"POST {request.path_qs} HTTP/1.1\r\n{head}\r\n".encode() + request.body


async def load(
    server: Server, requests: list[Signed], concurrency: int, rate: float | None = None
) -> Run:
    """Post every request over `concurrency` connections, each one request at a time: as fast
    as the server answers, or, given a rate, request k at k / rate seconds from the start. A
    request's latency then runs from that moment, so time spent waiting for a free
    connection counts too."""
    latencies: list[float] = []
    answers: Counter[int] = Counter()
    pending = enumerate([raw_request(r) for r in requests])
    loop = asyncio.get_running_loop()
    pipes = [
        (await loop.create_connection(Keepalive, "127.0.0.1", server.port))[1]
        for _ in range(concurrency)
    ]

    async def connection(pipe: Keepalive) -> None:
        for k, raw in pending:
            due = start + k / rate if rate else time.perf_counter()
            if (ahead := due - time.perf_counter()) > 0:
                await asyncio.sleep(ahead)
            answers[await pipe.post(raw)] += 1
            latencies.append(time.perf_counter() - due)

    start, cpu = time.perf_counter(), server.cpu_seconds()
    try:
        await asyncio.gather(*(connection(pipe) for pipe in pipes))
    finally:
        for pipe in pipes:
            pipe.transport.close()
    return Run(time.perf_counter() - start, server.cpu_seconds() - cpu, latencies, answers)


def figures(runs: list[Run]) -> dict:
    """Throughput and latency over several runs, as if they were one."""
    latencies = sorted(t for run in runs for t in run.latencies)
    seconds = sum(run.seconds for run in runs)
    answers = sum((run.answers for run in runs), Counter())
    return {
        "requests": len(latencies),
        "seconds": round(seconds, 2),
        "per_second": round(len(latencies) / seconds, 1),
        "p50_ms": round(1000 * latencies[len(latencies) // 2], 1),
        "p99_ms": round(1000 * latencies[int(len(latencies) * 0.99)], 1),
        "server_cpu_ms_per_request": round(
            1000 * sum(run.server_cpu_seconds for run in runs) / len(latencies), 3
        ),
        "answers": {str(code): n for code, n in sorted(answers.items())},
    }
