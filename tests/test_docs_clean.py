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


# The estimator families' own files (their sources, user-guide pages, API pages and gallery
# examples) are checked by their own tests below.
FAMILIES = ("cluster", "conformal", "ordinal", "over_sampling", "combine")
OWN_EXAMPLES = ("plot_roc_convex_hull",)


def _is_family_file(relative):
    parts = relative.parts
    if parts[0] in FAMILIES:  # package source
        return True
    if parts[0] == "user_guide" and relative.stem in FAMILIES:
        return True
    if parts[0] == "generated" and relative.name.split(".")[1] in FAMILIES:
        return True
    if parts[0] == "auto_examples":
        return not any(name in relative.name for name in OWN_EXAMPLES)
    return False


def _split(paths, root):
    own = [p for p in paths if not _is_family_file(p.relative_to(root))]
    family = [p for p in paths if _is_family_file(p.relative_to(root))]
    return own, family


def _package_sources():
    sources = [
        path
        for path in sorted(PACKAGE_DIR.rglob("*"))
        if path.suffix in (".py", ".pyx", ".pxd") and "__pycache__" not in path.parts
    ]
    assert len(sources) > 20
    return _split(sources, PACKAGE_DIR)


def _html_pages():
    if not (HTML_DIR / "index.html").is_file():
        pytest.skip("documentation not built (build_tools/build_docs.sh writes doc/_build/html)")
    pages = [
        p for p in sorted(HTML_DIR.rglob("*.html")) if not {"_static", "_modules"} & set(p.parts)
    ]
    assert pages, f"no HTML page under {HTML_DIR}"
    return _split(pages, HTML_DIR)


def test_family_split_leaves_nothing_out():
    own, family = _package_sources()
    assert own and family
    assert any(p.name == "_tour_steps.py" for p in own)
    assert any(p.parent.name == "cluster" for p in family)


def test_installed_package_text_has_no_internal_reference():
    own, _ = _package_sources()
    offences = _offences(own, PACKAGE_DIR)
    assert not offences, "internal references in the package:\n" + "\n".join(offences)


def test_installed_family_package_text_has_no_internal_reference():
    _, family = _package_sources()
    offences = _offences(family, PACKAGE_DIR)
    assert not offences, "internal references in the package:\n" + "\n".join(offences)


def test_readme_and_benchmark_results_have_no_internal_reference():
    pages = [p for p in (ROOT / "README.md", ROOT / "benchmarks" / "RESULTS.md") if p.exists()]
    if not pages:
        pytest.skip("README.md / benchmarks/RESULTS.md not next to the tests (installed tests)")
    offences = _offences(pages, ROOT)
    assert not offences, "internal references:\n" + "\n".join(offences)


def test_built_documentation_has_no_internal_reference():
    own, _ = _html_pages()
    offences = _offences(own, HTML_DIR)
    assert not offences, "internal references in the built documentation:\n" + "\n".join(offences)


def test_built_family_documentation_has_no_internal_reference():
    _, family = _html_pages()
    offences = _offences(family, HTML_DIR)
    assert not offences, "internal references in the built documentation:\n" + "\n".join(offences)
