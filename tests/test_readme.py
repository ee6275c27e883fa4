"""The README's quickstart is the documentation's, and it runs."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
QUICKSTART = ROOT / "doc" / "quickstart.py"
PYPROJECT = ROOT / "pyproject.toml"
INSTALL_PAGE = ROOT / "doc" / "install.rst"


def _readme_python_block():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) == 1, "the README should hold exactly one python block: the quickstart"
    return blocks[0]


@pytest.fixture(scope="module")
def quickstart():
    if not README.exists() or not QUICKSTART.exists():
        pytest.skip("README.md / doc/quickstart.py not next to the tests (installed tests only)")
    text = QUICKSTART.read_text()
    # The licence header is the file's, not part of the snippet the README shows.
    return re.sub(r"\A(#[^\n]*\n)+\n", "", text)


def test_readme_quickstart_is_doc_quickstart(quickstart):
    assert _readme_python_block() == quickstart


@pytest.mark.slow
def test_quickstart_runs(quickstart, capsys):
    exec(compile(quickstart, str(QUICKSTART), "exec"), {"__name__": "__quickstart__"})
    printed = capsys.readouterr().out
    assert "ROC AUC:" in printed and "compounds selected:" in printed


def test_one_python_version_everywhere():
    if not all(p.exists() for p in (README, PYPROJECT, INSTALL_PAGE)):
        pytest.skip("README.md / pyproject.toml / doc/ not next to the tests (installed tests)")
    required = re.search(r'^requires-python = ">=(3\.\d+)"$', PYPROJECT.read_text(), re.M)
    assert required, 'pyproject.toml has no requires-python = ">=3.N"'
    for page in (README, INSTALL_PAGE):
        said = set(re.findall(r"Python (3\.\d+)", page.read_text()))
        assert said == {required.group(1)}, (
            f"{page.name} says Python {said}, pyproject says {required.group(1)}"
        )


def test_citation_file_names_this_version_and_every_method():
    citation = ROOT / "CITATION.cff"
    if not citation.exists():
        pytest.skip("CITATION.cff not next to the tests (installed tests)")
    import skselect

    text = citation.read_text()
    assert re.search(rf"^version: {re.escape(skselect.__version__)}$", text, re.M)
    # SMOTE, PRESTO, PPP, conformal selection, OptCS.
    for reference in ("10.1613/jair.953", "2305.18700", "2003.04372", "2210.01408", "2411.17983"):
        assert reference in text, reference
