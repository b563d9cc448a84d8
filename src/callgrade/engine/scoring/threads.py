"""Independent rating periods side by side on the machine's cores.

Scoring, grading and pay of one period spend most of their time in NumPy, pandas and Arrow
kernels that release the GIL, so two periods computed at once keep a second core busy. Each
period's result depends only on its own inputs: the results are the same, in the same order,
whatever the number of threads. ``CALLGRADE_THREADS=1`` (or any count) caps the threads, e.g.
on a machine shared with other work.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

MAX_THREADS = 4  # each period holds its own working set: more would cost memory, not time


def thread_count(jobs: int) -> int:
    """Threads for ``jobs`` independent jobs: one per usable core, at most ``MAX_THREADS`` and
    at most ``CALLGRADE_THREADS`` when that is set."""
    try:
        cores = len(os.sched_getaffinity(0))  # the cores this process may run on
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    cap = os.environ.get("CALLGRADE_THREADS", "").strip()
    if cap:
        if not cap.isdigit() or int(cap) < 1:
            raise ValueError(f"CALLGRADE_THREADS={cap!r}: expected a whole number of at least 1")
        cores = min(cores, int(cap))
    return max(1, min(jobs, cores, MAX_THREADS))


def in_threads(
    fn: Callable[[T], R],
    items: Sequence[T],
    on_done: Callable[[T], None] | None = None,
) -> list[R]:
    """``[fn(x) for x in items]``, computed on :func:`thread_count` threads.

    ``on_done(x)`` runs in the calling thread as each item finishes (progress reports may touch
    things that belong to that thread, e.g. a database connection). When an item fails, the items
    not started yet are dropped and the exception of the first failed item, in ``items`` order,
    is raised, as a plain loop would."""
    threads = thread_count(len(items))
    if threads == 1:
        out = []
        for x in items:
            out.append(fn(x))
            if on_done:
                on_done(x)
        return out
    with ThreadPoolExecutor(threads, thread_name_prefix="callgrade-period") as pool:
        futures: list[Future[R]] = [pool.submit(fn, x) for x in items]
        item_of = {f: x for f, x in zip(futures, items, strict=True)}
        pending: set[Future[R]] = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_EXCEPTION)
            if any(f.exception() is not None for f in done if not f.cancelled()):
                for f in pending:
                    f.cancel()
                wait(pending)
                break
            if on_done:
                for f in futures:  # in items order, for a steady progress display
                    if f in done:
                        on_done(item_of[f])
    return [f.result() for f in futures]
