"""The machinery of ``python -m skselect``: run steps, print their tables, report failures.

A step is a function ``step(ctx) -> StepResult``; the steps themselves, and the one list that
names them in order, are in :mod:`skselect._tour_steps` (which imports this module, never the
other way round). A step whose estimator this version does not ship yet reports "not
available" instead of failing; any other exception fails the step, and a failed step makes the
tour exit non-zero. Warnings raised inside a step are collected and printed once each, as a
note under the step's table, rather than as raw tracebacks on the terminal.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import sys
import textwrap
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path


class NotAvailable(Exception):
    """Raised by a step whose estimator is not part of this version."""


@dataclass
class StepResult:
    headers: list
    rows: list
    notes: list = field(default_factory=list)


@dataclass
class TourContext:
    """What a step may use: run settings, a progress reporter and a place for figures."""

    quick: bool = False
    plots_dir: Path | None = None
    stream: object = sys.stderr
    _step_label: str = ""

    def progress(self, done, total, what=""):
        """Report progress within the current step (a bar on a terminal, lines otherwise)."""
        width = 24
        filled = int(round(width * done / total)) if total else width
        bar = "#" * filled + "." * (width - filled)
        message = f"  [{bar}] {done}/{total} {what}".rstrip()
        if getattr(self.stream, "isatty", lambda: False)():
            end = "\n" if done >= total else ""
            print("\r" + message, end=end, file=self.stream, flush=True)
        elif done >= total or done == 1:
            print(message, file=self.stream, flush=True)

    @property
    def wants_plots(self):
        return self.plots_dir is not None

    def new_figure(self, ncols=1):
        """A matplotlib figure and its axes (only called when ``wants_plots``)."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        return plt.subplots(1, ncols, figsize=(5.2 * ncols, 4.2), squeeze=False)

    def save_figure(self, figure, name):
        """Write ``figure`` as ``<plots_dir>/<name>.png``; return the path."""
        import matplotlib.pyplot as plt

        self.plots_dir.mkdir(parents=True, exist_ok=True)
        path = self.plots_dir / f"{name}.png"
        figure.savefig(path, dpi=110, bbox_inches="tight")
        plt.close(figure)
        return path


def format_table(headers, rows):
    """Plain-text table with right-aligned numbers, for a terminal."""
    cells = [[_format_cell(value) for value in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row)]
    numeric = [
        all(isinstance(row[i], (int, float)) for row in rows) if rows else False
        for i in range(len(headers))
    ]

    def line(values):
        parts = [
            v.rjust(w) if is_number else v.ljust(w)
            for v, w, is_number in zip(values, widths, numeric)
        ]
        return "  " + "  ".join(parts).rstrip()

    separator = "  " + "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), separator, *(line(row) for row in cells)])


def _format_cell(value):
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _warning_notes(caught):
    """One line per distinct warning: category, message (first line) and how many times."""
    counts = {}
    for record in caught:
        message = str(record.message).strip().splitlines()[0] if str(record.message) else ""
        key = (record.category.__name__, message)
        counts[key] = counts.get(key, 0) + 1
    return [
        f"warning{'' if n == 1 else f' (x{n})'}: {category}: {message}"
        for (category, message), n in counts.items()
    ]


def run_tour(steps, *, only=None, quick=False, plots_dir=None, out=sys.stdout, err=sys.stderr):
    """Run ``steps`` (``(key, title, function)`` triples); return the exit status.

    The status is 0 when no step failed.
    """
    steps = [step for step in steps if only is None or step[0] in only]
    ctx = TourContext(quick=quick, plots_dir=Path(plots_dir) if plots_dir else None, stream=err)
    failures = 0
    start = time.perf_counter()
    for index, (_key, title, function) in enumerate(steps, start=1):
        print(f"[{index}/{len(steps)}] {title} ...", file=err, flush=True)
        step_start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = function(ctx)
            except NotAvailable as exc:
                print(f"\n{title}\n  not available in this version: {exc}", file=out)
                continue
            except Exception:  # report every failing step, then exit non-zero
                failures += 1
                print(f"\n{title}\n  FAILED:", file=out)
                print("  " + traceback.format_exc().replace("\n", "\n  "), file=out)
                continue
        elapsed = time.perf_counter() - step_start
        print(f"\n{title}  ({elapsed:.1f} s)", file=out)
        print(format_table(result.headers, result.rows), file=out)
        for note in [*result.notes, *_warning_notes(caught)]:
            print(
                textwrap.fill(note, width=96, initial_indent="  ", subsequent_indent="    "),
                file=out,
            )
        out.flush()
    total = time.perf_counter() - start
    status = "FAILED" if failures else "done"
    print(f"\ntour {status}: {len(steps)} step(s), {failures} failed, {total:.1f} s", file=out)
    return 1 if failures else 0
