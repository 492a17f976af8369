"""Progress of ``theorykit verify``: a rich bar with an ETA on a terminal, plain lines with an
ETA on request, nothing when stderr is not a terminal (piped or redirected) unless asked.

The ETA weighs every stage (derive, each check, each mutant, the oracle) alike, the same
unit the runner's ``ProgressEvent`` counts in, and extrapolates the elapsed time:
remaining = elapsed * (total - done) / done.
"""
from __future__ import annotations

import sys
import time

__all__ = ["Progress", "PROGRESS_MODES", "resolve_mode", "format_eta"]

PROGRESS_MODES = ("auto", "bar", "lines", "none")


def resolve_mode(mode: str, quiet: bool, stream=None) -> str:
    """``auto``: a bar when ``stream`` (stderr) is a terminal, else nothing (piped output stays
    clean); ``--quiet`` always wins."""
    if quiet:
        return "none"
    if mode != "auto":
        return mode
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return "bar" if isatty is not None and isatty() else "none"


def format_eta(seconds: float | None) -> str:
    """'ETA 1:05', 'ETA 12s', or 'ETA ?' before anything has finished."""
    if seconds is None or seconds != seconds or seconds < 0:
        return "ETA ?"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"ETA {seconds}s"
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"ETA {h}:{m:02d}:{s:02d}" if h else f"ETA {m}:{s:02d}"


class Progress:
    """Fed by the runner's ``ProgressEvent``s; use as a context manager around the run."""

    def __init__(self, selected, mode: str = "auto", *, quiet: bool = False, stream=None, clock=time.monotonic):
        from ..claims.runner import claim_steps

        self.stream = sys.stderr if stream is None else stream
        self.mode = resolve_mode(mode, quiet, self.stream)
        self.clock = clock
        self.offsets, total = [], 0
        for c in selected:
            self.offsets.append(total)
            total += claim_steps(c)
        self.done_steps: dict[int, int] = {}  # claim index -> its stages done
        self.total = max(total, 1)
        self.started = None
        self.bar = None
        if self.mode == "bar":
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress as RichProgress, TextColumn,
                                       TimeElapsedColumn, TimeRemainingColumn)

            self.bar = RichProgress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                    TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                                    console=Console(file=self.stream), transient=True)
            self.task = self.bar.add_task("verifying", total=self.total)

    def __enter__(self):
        self.started = self.clock()
        if self.bar is not None:
            self.bar.__enter__()
        return self

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def eta(self, done: int) -> float | None:
        if self.started is None or done <= 0:
            return None
        elapsed = self.clock() - self.started
        return elapsed * (self.total - done) / done

    def __call__(self, event) -> None:
        if self.mode == "none":
            return
        # "done" closes the claim: all of its stages are finished. Claims may run in
        # parallel (-j, Dask), so progress is the sum of each claim's own stages done.
        finished = event.steps if event.stage == "done" else event.step
        self.done_steps[event.claim_index] = max(self.done_steps.get(event.claim_index, 0), finished)
        done = sum(self.done_steps.values())
        where = f"[{event.claim_index + 1}/{event.claim_count}] {event.claim_id}"
        if self.bar is not None:
            self.bar.update(self.task, completed=done, description=f"{where}: {event.stage}")
            return
        try:
            print(f"{where}: {event.stage} ({format_eta(self.eta(done))})", file=self.stream, flush=True)
        except (BrokenPipeError, ValueError):  # stderr went away: progress is optional
            self.mode = "none"
