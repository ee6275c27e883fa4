#!/usr/bin/env bash

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

# The test driver: the README's test command in a fresh virtual environment, three times:
#   1. the default build (OpenMP when the compiler has it): the whole suite, slow tests included;
#   2. a serial build (SKSELECT_NO_OPENMP=1) from a pristine copy of the tree: the whole suite
#      again, since every test must pass without OpenMP too;
#   3. a bounds-checked build (SKSELECT_CYTHON_BOUNDSCHECK=1) from a pristine copy: the kernel
#      tests (the estimator families' quick tests and the fuzz subset), so that an out-of-range
#      index in a kernel fails a test (IndexError) instead of reading past a buffer.
# Each step's virtual environment is .venv in the directory the command runs in, as the README
# lays it out; the slow test running the README commands in a fresh clone runs in step 1 only.
# Any step failing, or running no test at all, fails the driver.
# Options: --no-serial skips step 2, --no-boundscheck skips step 3, --boundscheck-only runs
# step 3 alone; extra arguments after -- go to pytest (steps 1 and 2).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
run_default=1
run_serial=1
run_boundscheck=1
pytest_extra=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --no-serial) run_serial=0; shift ;;
        --no-boundscheck) run_boundscheck=0; shift ;;
        --boundscheck-only) run_default=0; run_serial=0; run_boundscheck=1; shift ;;
        --) shift; pytest_extra=("$@"); break ;;
        *) echo "test.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

python="${PYTHON:-python3}"
test_command="$("${root}/build_tools/readme_command.sh" test-command)"
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT

# Run the README command in a fresh venv inside directory $2; $1 labels the log. The venv is
# .venv in that directory, the layout the README gives a newcomer (the package is then
# installed under the directory it was built from), so the whole suite runs in that layout.
run_suite() {
    local label="$1" source_dir="$2" extra_args="$3"
    local venv="${source_dir}/.venv" log="${work}/${label}.log"
    echo "=== [${label}] fresh virtual environment: ${venv}"
    rm -rf "${venv}"
    "${python}" -m venv "${venv}"
    # shellcheck disable=SC1091
    source "${venv}/bin/activate"
    python -m pip install --quiet --upgrade pip
    echo "=== [${label}] ${test_command} ${extra_args}"
    set +e
    (cd "${source_dir}" && bash -c "set -eo pipefail; ${test_command} ${extra_args}") 2>&1 | tee "${log}"
    local status="${PIPESTATUS[0]}"
    set -e
    deactivate
    if [[ "${source_dir}" == "${root}" ]]; then
        rm -rf "${venv}"
    fi
    if [[ "${status}" -ne 0 ]]; then
        echo "=== [${label}] FAILED (exit ${status})" >&2
        return "${status}"
    fi
    # pytest exits 5 when it collects nothing, but a run that only skipped would exit 0.
    if ! grep -Eq '(^|[ =])[1-9][0-9]* passed' "${log}"; then
        echo "=== [${label}] FAILED: no test passed" >&2
        return 1
    fi
    local summary passed failed
    summary="$(grep -E '[0-9]+ (passed|failed)' "${log}" | tail -1)"
    passed="$(grep -oE '[0-9]+ passed' <<<"${summary}" | grep -oE '[0-9]+' || echo 0)"
    failed="$(grep -oE '[0-9]+ failed' <<<"${summary}" | grep -oE '[0-9]+' || echo 0)"
    echo "${label} ${passed} ${failed}" >>"${SKSELECT_TEST_COUNTS:-/dev/null}"
    echo "=== [${label}] OK"
}

export SKSELECT_EXPECT_OPENMP=1
# Captured rather than piped into grep -q, which would SIGPIPE the compiler under pipefail.
compiler_macros="$(echo | "${CC:-cc}" -fopenmp -E -dM - 2>/dev/null || true)"
if [[ "${compiler_macros}" != *_OPENMP* ]]; then
    export SKSELECT_EXPECT_OPENMP=0   # the compiler has no OpenMP: a serial build is expected
fi
if [[ "${run_default}" -eq 1 ]]; then
    # The checkout's own .venv (a developer following the README) is set aside while the
    # driver's fresh one takes its place, and put back afterwards, however the driver ends.
    if [[ -e "${root}/.venv" ]]; then
        saved_venv="${root}/.venv.saved-by-test-sh"
        if [[ -e "${saved_venv}" ]]; then
            echo "test.sh: ${saved_venv} exists (an earlier run was interrupted); restore it" \
                "as ${root}/.venv or remove it" >&2
            exit 2
        fi
        mv "${root}/.venv" "${saved_venv}"
        trap 'rm -rf "${root}/.venv"; mv "${saved_venv}" "${root}/.venv"; rm -rf "${work}"' EXIT
    fi
    run_suite openmp "${root}" "${pytest_extra[*]:-}"
fi

# The README commands in a fresh clone (tests/test_installation.py) build and test one more
# copy of the package; the OpenMP step above runs them, the other builds skip them.
export SKSELECT_SKIP_FRESH_CLONE_TEST="the README commands in a fresh clone run in the OpenMP build"

# A copy of the tree in $1 without build/ or in-place .so files, so that nothing compiled for
# another build is reused. Laid out like the checkout (…/main beside …/shared) so tests that
# read ../shared run too.
pristine_copy() {
    local dest="$1/main"
    mkdir -p "${dest}"
    if [[ -d "${root}/../shared" ]]; then
        ln -s "$(cd "${root}/../shared" && pwd)" "$1/shared"
    fi
    tar -C "${root}" --exclude=./build --exclude=./.git --exclude='*.so' --exclude='*.c' \
        --exclude='*.egg-info' --exclude=./doc/_build --exclude=./.venv \
        --exclude=./.venv.saved-by-test-sh -cf - . | tar -C "${dest}" -xf -
}

if [[ "${run_serial}" -eq 1 ]]; then
    pristine_copy "${work}/serial"
    (
        export SKSELECT_NO_OPENMP=1 SKSELECT_EXPECT_OPENMP=0
        run_suite serial "${work}/serial/main" "${pytest_extra[*]:-}"
    )
fi

if [[ "${run_boundscheck}" -eq 1 ]]; then
    pristine_copy "${work}/boundscheck"
    # The kernel tests: every estimator family's quick tests, the kernel-thread rule, and the
    # fuzz subset (odd shapes and dtypes are where an index goes out of range). An IndexError
    # raised inside a kernel helper that cannot propagate it is reported by Python as
    # "unraisable"; -W error turns that report into a failure too.
    (
        export SKSELECT_CYTHON_BOUNDSCHECK=1 SKSELECT_EXPECT_BOUNDSCHECK=1
        run_suite boundscheck "${work}/boundscheck/main" \
            "-m 'not slow' -W error::pytest.PytestUnraisableExceptionWarning \
            tests/over_sampling tests/combine tests/ordinal tests/cluster tests/conformal \
            tests/utils tests/test_fuzz.py"
    )
fi
