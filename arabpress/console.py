"""Progress of long commands: a bar on a terminal, plain lines anywhere else (cron, scrapyd, logs)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, TextIO

from tqdm import tqdm


class Progress:
    """Count work done out of *total*: a tqdm bar on a terminal, else a line every *interval* seconds.

    Lines go to *stream* (stderr), or to *write* when given (a logger, which is no terminal).
    """

    def __init__(
        self,
        total: int,
        label: str,
        interval: float = 60.0,
        stream: TextIO | None = None,
        write: Callable[[str], object] | None = None,
    ) -> None:
        self.total = total
        self.label = label
        self.interval = interval
        self.stream = stream or sys.stderr
        self.write = write or (lambda line: print(line, file=self.stream, flush=True))
        self.done = 0
        self.started = time.monotonic()
        self.last_line = self.started
        self.bar: Any = None
        if write is None and self.stream.isatty():
            self.bar = tqdm(total=total, desc=label, unit="page", file=self.stream, dynamic_ncols=True)

    def __call__(self, count: int) -> None:
        """Add *count* to the work done."""
        self.done += count
        if self.bar is not None:
            self.bar.update(count)
            return
        now = time.monotonic()
        if now - self.last_line >= self.interval or self.done >= self.total:
            self.last_line = now
            self.line()

    def line(self) -> None:
        """Write one plain progress line."""
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = self.done / elapsed * 60
        share = f" ({self.done / self.total:.0%})" if self.total else ""
        self.write(f"{self.label}: {self.done} of {self.total}{share}, {rate:,.0f}/min")

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self.bar is not None:
            self.bar.close()
