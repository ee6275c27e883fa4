"""The fuzz subset: every public estimator and function under bad, extreme and odd input.

Each case runs in a worker subprocess with a time limit (``build_tools/fuzz.py``), so a crash
or a hang fails one test instead of the run. A case passes when the call returns output that
meets the method's contract or raises a ValueError/TypeError naming the argument at fault.
The full run (about 1,500 cases) is ``python build_tools/fuzz.py --full``.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib.util
from pathlib import Path

import pytest

FUZZ_PATH = Path(__file__).resolve().parents[1] / "build_tools" / "fuzz.py"
if not FUZZ_PATH.exists():
    pytest.skip(
        "build_tools/fuzz.py is not part of this tree (tests run from an installed copy)",
        allow_module_level=True,
    )
_spec = importlib.util.spec_from_file_location("skselect_fuzz", FUZZ_PATH)
fuzz = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fuzz)


def _params():
    for case_id in fuzz.ci_case_ids():
        reason = fuzz.KNOWN_FAILURES.get(case_id)
        marks = [pytest.mark.xfail(reason=f"{case_id}: {reason}", strict=False)] if reason else []
        yield pytest.param(case_id, marks=marks, id=case_id)


@pytest.fixture(scope="module")
def runner():
    runner = fuzz.Runner(timeout=fuzz.CI_TIMEOUT)
    yield runner
    runner.close()


@pytest.mark.parametrize("case_id", list(_params()))
def test_fuzz_case(runner, case_id):
    result = runner.run(case_id)
    if result["verdict"] == "skipped":
        pytest.skip(result["detail"])
    assert result["verdict"] in fuzz.GOOD, f"{result['verdict']}: {result.get('detail', '')}"


def test_known_failures_are_cases():
    # A stale entry would hide nothing and mislead the reader.
    stale = sorted(set(fuzz.KNOWN_FAILURES) - set(fuzz.all_cases()))
    assert not stale, stale


@pytest.mark.parametrize(
    "case_id, verdict",
    [
        ("_selftest|ok", "ok"),
        ("_selftest|clear-error", "clear error"),
        ("_selftest|unclear-error", "unclear error"),
        ("_selftest|crash", "crash"),
        ("_selftest|hang", "hang"),
        ("_selftest|bad-output", "silent bad output"),
        ("_selftest|accepts-invalid", "silent bad output"),
        ("_selftest|modifies-input", "silent bad output"),
    ],
)
def test_harness_verdicts(runner, case_id, verdict):
    """Each verdict is given to a case built to deserve it, and the runner survives it."""
    assert runner.run(case_id, timeout=5.0)["verdict"] == verdict
    # The worker is replaced after a crash or a hang: the next case still runs.
    assert runner.run("_selftest|ok")["verdict"] == "ok"


def test_every_public_name_is_fuzzed():
    # A public estimator or function added without fuzz cases would escape the contract.
    assert len(fuzz.public_names()) >= 26
    assert fuzz.untargeted_public_names() == []
