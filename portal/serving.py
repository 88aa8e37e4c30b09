"""`portal serve --workers N` (N > 1, Linux): N uvicorn processes, each with its own listening socket.

uvicorn's own multi-worker mode shares one listening socket, and each worker accepts every
connection waiting when it wakes up. So connections that arrive together go mostly to one worker:
64 clients connecting at once were split 63/1, 48/16, 56/8 between two workers (uvloop, measured).
Keep-alive connections then stay where they landed, so one worker queues requests while the other
idles. This applies to a reverse proxy's upstream connections, and to the vote storm. Here every worker
binds its own socket with SO_REUSEPORT, and the kernel spreads new connections across them by address
hash: 29/35, 31/33, 27/37 in the same test.

The parent process only supervises. It holds the port (bound, never listening, so no connection
goes to it). It restarts a worker that dies, and on SIGTERM or SIGINT it stops the workers
(uvicorn's graceful shutdown) and returns, so the caller's clean-up (the embedded PostgreSQL) runs.
If the parent itself is killed, the kernel stops the workers (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import sys
import time
from typing import Any

log = logging.getLogger("uvicorn.error")

RESTARTS_ALLOWED = 5          # workers that die within RESTART_WINDOW seconds before giving up
RESTART_WINDOW = 60.0
STOP_TIMEOUT = 30.0           # seconds a worker gets to finish its requests after SIGTERM


def available() -> bool:
    """Whether this system spreads connections across SO_REUSEPORT sockets (Linux does)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def reuseport_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to (host, port) with SO_REUSEPORT, not yet listening."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _die_with_parent() -> None:
    """Ask Linux to SIGTERM this worker when the supervisor dies, even by SIGKILL, so no orphaned
    worker keeps the port and its database connections."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        log.warning("workers will not stop by themselves if the supervisor is killed")
    if os.getppid() == 1:  # the supervisor died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)


def _worker(options: dict[str, Any]) -> None:
    import uvicorn

    _die_with_parent()
    config = uvicorn.Config(**options)
    sock = reuseport_socket(config.host, config.port)
    sock.listen(config.backlog)
    uvicorn.Server(config).run(sockets=[sock])


class Supervisor:
    """Starts, watches and stops the workers; `options` are uvicorn.Config's keyword arguments."""

    def __init__(self, options: dict[str, Any], workers: int) -> None:
        self.options, self.workers = options, workers
        self.context = multiprocessing.get_context("spawn")
        self.processes: list[Any] = []
        self.stopping = False
        self.deaths: list[float] = []

    def _start_one(self) -> Any:
        process = self.context.Process(target=_worker, args=(self.options,), name="portal-worker")
        process.start()
        return process

    def _stop(self, signum: int, frame: Any) -> None:
        self.stopping = True

    def run(self) -> int:
        """Serve until SIGTERM/SIGINT (0), or until workers keep dying (1)."""
        held = reuseport_socket(self.options["host"], self.options["port"])  # fails early if the port is taken
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.processes = [self._start_one() for _ in range(self.workers)]
            while not self.stopping:
                time.sleep(0.2)
                if not self._replace_dead():
                    return 1
            return 0
        finally:
            self._stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            held.close()

    def _replace_dead(self) -> bool:
        """Restart workers that died; False when too many died too recently."""
        for i, process in enumerate(self.processes):
            if process.is_alive() or self.stopping:
                continue
            now = time.monotonic()
            self.deaths = [t for t in self.deaths if now - t < RESTART_WINDOW] + [now]
            log.error("worker %s exited with code %s", process.pid, process.exitcode)
            if len(self.deaths) > RESTARTS_ALLOWED:
                log.error("workers keep exiting; stopping")
                return False
            self.processes[i] = self._start_one()
        return True

    def _stop_all(self) -> None:
        for process in self.processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        deadline = time.monotonic() + STOP_TIMEOUT
        for process in self.processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
