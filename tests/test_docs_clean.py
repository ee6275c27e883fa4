"""What users read speaks of the library and its methods, never of internal notes or issues.

Checked: the installed package's source text (docstrings, error messages, the tour), the
README and benchmark results next to the tests, and the built HTML documentation when it has
been built (``build_tools/build_docs.sh``).
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import re
from pathlib import Path

import pytest

import skselect

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIR = Path(skselect.__file__).resolve().parent
HTML_DIR = ROOT / "doc" / "_build" / "html"

# Each pattern names an internal document or process a user has no access to.
INTERNAL_REFERENCES = {
    "research note": r"research[ _-]notes?\b",
    "research file": r"\bresearch/\w+\.md\b",
    "design notes": r"\bdesign (?:notes?|document)\b|\bDESIGN\.md\b|planning material",
    "specification": r"\bspec(?:ification)?\b(?:\s+section|\s+§|\s*\(section)|\bthe spec\b",
    "issue number": r"\bissues?\s+#?\d+\b|\bissue\s+#\w+",
    "missing paper": r"full text (?:was|is) not available|was not available to us",
    "shared folder": r"\.\./shared\b|/work/shared\b",
    "project roles": r"\bthe lead\b|\bhelpers? (?:session|agent)s?\b|\bother agents?\b",
}
PATTERN = re.compile("|".join(f"(?:{p})" for p in INTERNAL_REFERENCES.values()), re.I)


def _offences(paths, root):
    found = []
    for path in paths:
        text = path.read_text(errors="replace")
        if path.suffix == ".html":
            # Tags and attributes are not read; the text between them is.
            text = re.sub(r"<script.*?</script>|<style.*?</style>", " ", text, flags=re.S)
            text = re.sub(r"<[^>]+>", " ", text)
        for number, line in enumerate(text.splitlines(), start=1):
            match = PATTERN.search(line)
            if match:
                where = path.relative_to(root) if root in path.parents else path
                found.append(f"{where}:{number}: ...{line.strip()[:160]}")
    return found


def test_the_patterns_catch_what_they_are_for():
    for text in (
        "see the project's research note",
        "as in research/ppp.md",
        "spec section 3.6",
        "fixed in issue 3",
        "The paper's full text was not available",
        "data in ../shared/data",
    ):
        assert PATTERN.search(text), text
    for text in ("Journal of Machine Learning Research 24", "thread helpers", "special"):
        assert not PATTERN.search(text), text


def test_installed_package_text_has_no_internal_reference():
    sources = [
        path
        for path in sorted(PACKAGE_DIR.rglob("*"))
        if path.suffix in (".py", ".pyx", ".pxd") and "__pycache__" not in path.parts
    ]
    assert len(sources) > 20
    offences = _offences(sources, PACKAGE_DIR)
    assert not offences, "internal references in the package:\n" + "\n".join(offences)


def test_readme_and_benchmark_results_have_no_internal_reference():
    pages = [p for p in (ROOT / "README.md", ROOT / "benchmarks" / "RESULTS.md") if p.exists()]
    if not pages:
        pytest.skip("README.md / benchmarks/RESULTS.md not next to the tests (installed tests)")
    offences = _offences(pages, ROOT)
    assert not offences, "internal references:\n" + "\n".join(offences)


def test_built_documentation_has_no_internal_reference():
    if not HTML_DIR.is_dir():
        pytest.skip("documentation not built (build_tools/build_docs.sh writes doc/_build/html)")
    pages = [
        p for p in sorted(HTML_DIR.rglob("*.html")) if not {"_static", "_modules"} & set(p.parts)
    ]
    assert pages, f"no HTML page under {HTML_DIR}"
    offences = _offences(pages, HTML_DIR)
    assert not offences, "internal references in the built documentation:\n" + "\n".join(offences)
