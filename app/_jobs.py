"""Long solves in worker processes, a few at a time per server, with progress and Stop.

A fleet optimization or comparison takes seconds to minutes. Run on a script thread of the
Streamlit server, its Python stages (travel matrices, model building, extraction, the Monte Carlo
replay) compete with every other user's page for the interpreter, the OR-Tools search cannot be
interrupted (Stop would not stop it), its memory stays with the server and a crash takes the
server down. Instead each solve is a :class:`Job`:

* a process of its own, forked from a fork server that has imported the library once, in its own
  process group and at a lower CPU priority (``nice`` :data:`NICE`), so the server's threads come
  first on a busy machine;
* at most :func:`max_jobs` running per server process (``CORRIDOR_APP_JOBS``, default 1), the
  others queued first come, first served;
* its progress (``progress(done, total)`` of the solver) and its result or error come back over a
  pipe, read by a small thread of the server, so the page only polls :attr:`Job.status`;
* :meth:`Job.stop` terminates its process group (the search's own worker processes too); a job
  whose session ends is stopped when the session's state is collected.

This module keeps no user data at module level: the queue holds weak references to the jobs,
which belong to the sessions' ``st.session_state``. It does not import Streamlit.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

log = logging.getLogger(__name__)

#: Environment variable: largest number of solves running at once per server process.
JOBS_ENV = "CORRIDOR_APP_JOBS"
#: Largest value accepted for :data:`JOBS_ENV`.
MAX_JOBS_LIMIT = 64
#: CPU priority added to a job's process (and its search workers): the server comes first.
NICE = 10
#: Modules the fork server imports once, so a job starts without importing them again.
PRELOAD = ["app._jobs", "logistics", "logistics.fleet", "networks"]
#: Seconds Stop waits after SIGTERM before SIGKILL.
STOP_GRACE_S = 3.0

#: Job states. ``queued`` and ``running`` are active; the others are final.
ACTIVE = ("queued", "running")


class JobSettingError(ValueError):
    """A bad value of the app's job setting (:data:`JOBS_ENV`)."""


def max_jobs() -> int:
    """Solves allowed to run at once per server process (``CORRIDOR_APP_JOBS``, default 1)."""
    raw = os.environ.get(JOBS_ENV, "1").strip()
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_JOBS_LIMIT:
        raise JobSettingError(
            f"{JOBS_ENV}: {raw!r} is not allowed; use a whole number from 1 to {MAX_JOBS_LIMIT}"
        )
    return value


@dataclass(frozen=True)
class Status:
    """A snapshot of a job for the page."""

    state: str
    done: float = 0.0
    total: int = 0
    #: Jobs ahead of this one in the queue (``queued`` only).
    ahead: int = 0
    elapsed_s: float = 0.0
    #: ``"input"`` (a ``ValueError``: the user's to fix) or ``"failed"``, with a one-line message.
    error: tuple[str, str] | None = None


def _work(conn: Connection, fn: Callable[..., Any], kwargs: Mapping[str, Any]) -> None:
    """Body of a job's process: run ``fn(progress=..., **kwargs)`` and send what happens."""
    os.setpgrp()  # its own process group: Stop also ends the search's worker processes
    os.nice(NICE)
    _die_with_parent()

    def progress(done: float, total: int) -> None:
        conn.send(("progress", float(done), int(total)))

    try:
        result = fn(progress=progress, **kwargs)
    except (ValueError, LookupError) as exc:
        message = str(exc.args[0] if isinstance(exc, KeyError) and exc.args else exc)
        conn.send(("error", "input", message))
    except Exception as exc:  # reported in one line; the traceback goes to the server log
        traceback.print_exc(file=sys.stderr)
        conn.send(("error", "failed", f"{type(exc).__name__}: {exc}"))
    else:
        conn.send(("done", result))
    finally:
        conn.close()


def _die_with_parent() -> None:
    """End this process when its parent (the fork server, which ends with the app server) dies
    (Linux ``PR_SET_PDEATHSIG``; elsewhere a no-op)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, int(signal.SIGTERM))
    except (OSError, AttributeError):
        pass


def _end(procs: list[Any]) -> None:
    """Terminate the process group of each started process (finalizer and Stop)."""
    for proc in procs:
        if proc.pid is None or not proc.is_alive():
            continue
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except OSError:  # not yet in its own group
            proc.terminate()
        proc.join(STOP_GRACE_S)
        if proc.is_alive():
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                proc.kill()
            proc.join(STOP_GRACE_S)


class Job:
    """One solve: ``fn(progress=callback, **kwargs)`` in a worker process.

    ``fn`` must be a module-level function and ``kwargs`` picklable. Create jobs with
    :func:`submit`.
    """

    def __init__(self, fn: Callable[..., Any], kwargs: Mapping[str, Any]) -> None:
        self._fn: Callable[..., Any] | None = fn
        self._kwargs: Mapping[str, Any] | None = dict(kwargs)
        self._lock = threading.Lock()
        self._state = "queued"
        self._done = 0.0
        self._total = 0
        self._error: tuple[str, str] | None = None
        self._result: Any = None
        self._created = time.monotonic()
        self._started: float | None = None
        self._ended: float | None = None
        self._procs: list[Any] = []
        self._finalizer = weakref.finalize(self, _end, self._procs)

    # -------------------------------------------------------------- the page's side

    @property
    def status(self) -> Status:
        """The job's state, progress, time and error now."""
        QUEUE.dispatch()
        ahead = QUEUE.ahead(self)  # before taking this job's lock (the queue takes it too)
        with self._lock:
            start = self._started or self._created
            end = self._ended or time.monotonic()
            return Status(
                state=self._state,
                done=self._done,
                total=self._total,
                ahead=ahead if self._state == "queued" else 0,
                elapsed_s=end - start,
                error=self._error,
            )

    @property
    def result(self) -> Any:
        """What ``fn`` returned (state ``done``), else None."""
        with self._lock:
            return self._result

    def stop(self) -> None:
        """Stop the job: drop it from the queue or terminate its processes; state ``stopped``."""
        with self._lock:
            if self._state not in ACTIVE:
                return
            self._state = "stopped"
            self._ended = time.monotonic()
            self._fn = self._kwargs = None
        QUEUE.forget(self)
        _end(self._procs)
        QUEUE.dispatch()

    # -------------------------------------------------------------- the queue's side

    def _alive(self) -> bool:
        return any(p.is_alive() for p in self._procs)

    def _start(self, ctx: Any) -> None:
        """Start the worker process and the thread that reads its messages (queue lock held)."""
        with self._lock:
            if self._state != "queued" or self._fn is None:
                return
            fn, kwargs = self._fn, self._kwargs or {}
            self._fn = self._kwargs = None
            reader, writer = ctx.Pipe(duplex=False)
            # not a daemon: the search starts worker processes of its own
            proc = ctx.Process(target=_work, args=(writer, fn, kwargs))
            proc.start()
            writer.close()
            self._procs.append(proc)
            self._state = "running"
            self._started = time.monotonic()
        threading.Thread(target=_read, args=(weakref.ref(self), reader, proc), daemon=True).start()

    def _message(self, message: tuple[Any, ...]) -> None:
        with self._lock:
            if self._state != "running":
                return
            kind = message[0]
            if kind == "progress":
                self._done, self._total = message[1], message[2]
            elif kind == "done":
                self._result, self._state = message[1], "done"
                self._ended = time.monotonic()
            elif kind == "error":
                self._error, self._state = (message[1], message[2]), "failed"
                self._ended = time.monotonic()

    def _ended_without_answer(self, exitcode: int | None) -> None:
        with self._lock:
            if self._state != "running":
                return
            self._state = "failed"
            self._ended = time.monotonic()
            self._error = (
                "failed",
                f"the solve's process ended without a result (exit code {exitcode}); the "
                "server may be short of memory",
            )


def _read(ref: weakref.ref[Job], conn: Connection, proc: Any) -> None:
    """Thread: hand the worker's messages to its job until the pipe closes, then reap it."""
    try:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                break
            job = ref()
            if job is None:
                break
            job._message(message)
            del job
    finally:
        conn.close()
        proc.join(STOP_GRACE_S)
        job = ref()
        if job is not None:
            job._ended_without_answer(proc.exitcode)
            del job
        QUEUE.dispatch()


class JobQueue:
    """Jobs of this server process: at most :func:`max_jobs` running, the rest in order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: list[weakref.ref[Job]] = []
        self._running: list[weakref.ref[Job]] = []
        self._ctx: Any = None

    def _context(self) -> Any:
        if self._ctx is None:
            methods = multiprocessing.get_all_start_methods()
            method = "forkserver" if "forkserver" in methods else "spawn"
            self._ctx = multiprocessing.get_context(method)
            if method == "forkserver":
                self._ctx.set_forkserver_preload(PRELOAD)
        return self._ctx

    def submit(self, fn: Callable[..., Any], **kwargs: Any) -> Job:
        """A new job for ``fn(progress=..., **kwargs)``, started as soon as a slot is free."""
        limit = max_jobs()  # a bad setting is an error before anything is queued
        job = Job(fn, kwargs)
        with self._lock:
            self._waiting.append(weakref.ref(job))
        self.dispatch(limit)
        return job

    def dispatch(self, limit: int | None = None) -> None:
        """Start queued jobs while fewer than the limit are running."""
        limit = limit or max_jobs()
        with self._lock:
            self._running = [r for r in self._running if (j := r()) is not None and j._alive()]
            self._waiting = [r for r in self._waiting if (j := r()) is not None and j._fn]
            while self._waiting and len(self._running) < limit:
                ref = self._waiting.pop(0)
                job = ref()
                if job is None:
                    continue
                job._start(self._context())
                self._running.append(ref)

    def ahead(self, job: Job) -> int:
        """How many queued jobs come before ``job``, plus the running ones."""
        with self._lock:
            queued = [r() for r in self._waiting]
            before = queued.index(job) if job in queued else 0
            return before + len(self._running)

    def forget(self, job: Job) -> None:
        """Drop ``job`` from the waiting list."""
        with self._lock:
            self._waiting = [r for r in self._waiting if r() is not job]

    def running(self) -> int:
        """Jobs whose process is alive now."""
        with self._lock:
            return sum(1 for r in self._running if (j := r()) is not None and j._alive())


#: The queue of this server process (weak references only: no user data).
QUEUE = JobQueue()


def submit(fn: Callable[..., Any], **kwargs: Any) -> Job:
    """Queue ``fn(progress=..., **kwargs)`` as a :class:`Job` of this server process."""
    return QUEUE.submit(fn, **kwargs)


# ------------------------------------------------------------------ the solves the app runs


def optimize(*, corridor: str, progress: Callable[[float, int], None], **kwargs: Any) -> Any:
    """:func:`logistics.optimize` on the corridor's network (a job's ``fn``)."""
    import logistics
    import networks

    return logistics.optimize(networks.load_network(corridor), progress=progress, **kwargs)


def compare(*, corridor: str, progress: Callable[[float, int], None], **kwargs: Any) -> Any:
    """:func:`logistics.compare_fleet` on the corridor's network (a job's ``fn``)."""
    import logistics
    import networks

    return logistics.compare_fleet(networks.load_network(corridor), progress=progress, **kwargs)
