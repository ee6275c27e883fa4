"""The tour machinery behind ``python -m skselect``."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import io
import subprocess
import sys

import pytest

from skselect import _tour
from skselect.__main__ import main
from skselect._tour_steps import STEPS


def _ok_step(ctx):
    ctx.progress(1, 2, "half")
    ctx.progress(2, 2, "all")
    return _tour.StepResult(headers=["model", "AUC"], rows=[["plain", 0.5], ["smote", 0.75]])


def _failing_step(ctx):
    raise RuntimeError("boom in a step")


def _unavailable_step(ctx):
    raise _tour.NotAvailable("not written yet")


def _run(steps, **kwargs):
    out, err = io.StringIO(), io.StringIO()
    status = _tour.run_tour(steps, out=out, err=err, **kwargs)
    return status, out.getvalue(), err.getvalue()


def test_successful_steps_print_tables_and_exit_zero():
    status, out, err = _run([("a", "Step A", _ok_step)])
    assert status == 0
    assert "Step A" in out and "smote  0.750" in out
    assert "[1/1] Step A" in err and "2/2 all" in err
    assert "tour done: 1 step(s), 0 failed" in out


def test_a_failing_step_fails_the_tour_but_the_others_still_run():
    steps = [("bad", "Bad step", _failing_step), ("a", "Step A", _ok_step)]
    status, out, _ = _run(steps)
    assert status == 1
    assert "FAILED" in out and "RuntimeError: boom in a step" in out
    assert "smote  0.750" in out
    assert "tour FAILED: 2 step(s), 1 failed" in out


def test_unavailable_steps_do_not_fail():
    status, out, _ = _run([("u", "Later", _unavailable_step)])
    assert status == 0
    assert "not available in this version: not written yet" in out


def test_only_selects_steps():
    steps = [("bad", "Bad step", _failing_step), ("a", "Step A", _ok_step)]
    status, out, _ = _run(steps, only=["a"])
    assert status == 0 and "Bad step" not in out


def test_format_table_aligns_numbers_right():
    table = _tour.format_table(["name", "value"], [["a", 1.0], ["long name", 10.25]])
    lines = table.splitlines()
    # Columns are as wide as their widest cell ("long name", "10.250"), two spaces apart.
    assert lines[0] == "  name        value"
    assert lines[2] == "  a           1.000"
    assert lines[3] == "  long name  10.250"


def test_cli_rejects_unknown_step(capsys):
    assert main(["--only", "no-such-step"]) == 2
    assert "unknown step(s) ['no-such-step']" in capsys.readouterr().err


def test_cli_list_and_info(capsys):
    assert main(["--list"]) == 0
    listed = capsys.readouterr().out
    for key, _, _ in STEPS:
        assert key in listed
    assert main(["--info"]) == 0
    assert "estimators available:" in capsys.readouterr().out


def _run_module(args, cwd):
    # Outside the source tree, as a user would run it.
    return subprocess.run(
        [sys.executable, "-m", "skselect", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_the_whole_tour_runs(tmp_path):
    # The README's first command ends with this.
    completed = _run_module([], tmp_path)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "tour done" in completed.stdout and "FAILED" not in completed.stdout


@pytest.mark.slow
def test_plots_are_written(tmp_path):
    pytest.importorskip("matplotlib", reason="--plots needs matplotlib (the 'doc' extra)")
    completed = _run_module(["--quick", "--plots", str(tmp_path / "plots")], tmp_path)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    written = sorted(path.name for path in (tmp_path / "plots").glob("*.png"))
    announced = completed.stdout.count("figure: ")
    assert len(written) == announced


def _warning_step(ctx):
    import warnings

    for _ in range(2):
        warnings.warn("the same thing\nwith a second line", UserWarning, stacklevel=1)
    warnings.warn("something else", RuntimeWarning, stacklevel=1)
    return _ok_step(ctx)


def test_warnings_become_one_note_each_not_raw_output(recwarn):
    status, out, err = _run([("w", "Warns", _warning_step)])
    assert status == 0
    assert "  warning (x2): UserWarning: the same thing\n" in out
    assert "  warning: RuntimeWarning: something else\n" in out
    assert "with a second line" not in out and "Warning" not in err
    assert len(recwarn) == 0  # nothing escaped to the caller's warning machinery
