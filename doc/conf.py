"""Sphinx configuration for skselect's documentation."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import os
import warnings

import skselect

project = "skselect"
author = "The skselect developers"
copyright = "2026, The skselect developers"
version = release = skselect.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.doctest",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
    "sphinx-mathjax-offline",  # (sic: the module name has hyphens)
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "auto_examples/*.ipynb", "examples"]
root_doc = "index"
source_suffix = {".rst": "restructuredtext"}  # markdown only where included explicitly
myst_heading_anchors = 2

# API reference: one page per public object, generated from the numpydoc docstrings.
autosummary_generate = True
# get_metadata_routing and set_output are inherited from scikit-learn, and their docstrings
# link to scikit-learn labels that cannot resolve offline.
autodoc_default_options = {
    "members": True,
    "inherited-members": True,
    "exclude-members": "get_metadata_routing, set_output",
}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
# "all" followed by names means every check except those: an Examples section (EX01) and
# documented parameters are required; See Also / extended summaries are left to judgement.
numpydoc_validation_checks = {"all", "GL01", "SA01", "ES01", "SS05", "RT02"}


def _inherited_third_party_methods():
    """Regexes for the public methods our estimators inherit unchanged from scikit-learn or
    imbalanced-learn: their docstrings are those projects' and are validated there."""
    import inspect
    import re

    from skselect.utils import all_estimators

    patterns = set()
    for name, cls in all_estimators():
        for attribute, value in inspect.getmembers(cls, callable):
            defined_in = getattr(value, "__module__", "") or ""
            if not attribute.startswith("_") and not defined_in.startswith("skselect"):
                patterns.add(rf"\.{re.escape(name)}\.{re.escape(attribute)}$")
    return patterns


numpydoc_validation_exclude = {
    r"\.__init__$",
    r"\.set_.*request$",
    r"\.get_metadata_routing$",
    r"\.get_params$",
    r"\.set_params$",
} | _inherited_third_party_methods()

# Offline builds: no intersphinx inventories are fetched unless asked for (the build machines
# reach package registries only).
intersphinx_mapping = {}
if os.environ.get("SKSELECT_DOC_INTERSPHINX") == "1":
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "numpy": ("https://numpy.org/doc/stable", None),
        "sklearn": ("https://scikit-learn.org/stable", None),
        "imblearn": ("https://imbalanced-learn.org/stable", None),
    }

sphinx_gallery_conf = {
    "examples_dirs": ["examples"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    "doc_module": ("skselect",),
    "backreferences_dir": "gen_modules/backreferences",
    "reference_url": {"skselect": None},
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
}

html_theme = "pydata_sphinx_theme"
html_title = f"skselect {release}"
html_static_path = ["_static"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_css_files = ["skselect.css"]
# The benchmark page is mostly wide tables: it gets the full width, without the in-page
# table of contents column.
html_theme_options["secondary_sidebar_items"] = {
    "**": ["page-toc", "sourcelink"],
    "benchmarks": [],
}
# Top-level pages without sub-pages would show an empty section-navigation column: drop it
# there, so the text gets the width.
html_sidebars = {
    page: []
    for page in ("index", "install", "getting_started", "choosing", "benchmarks", "whats_new")
}

# Gallery examples run with a non-interactive backend and must not warn.
os.environ.setdefault("MPLBACKEND", "Agg")
warnings.filterwarnings(
    "ignore",
    category=UserWarning,
    message="Matplotlib is currently using agg, which is a non-GUI backend",
)


def _unlink_third_party_refs(app, what, name, obj, options, lines):
    """Docstrings inherited from scikit-learn / imbalanced-learn (``score``,
    ``set_*_request``...) cross-reference labels and glossary terms of those projects' docs,
    which cannot
    resolve in an offline build: keep their text, drop the link. Our own references stay
    checked."""
    import re

    module = getattr(obj, "__module__", "") or ""
    if module.startswith("skselect"):
        return
    pattern = re.compile(r":(?:ref|term):`([^`<]+?)\s*<[^>]+>`|:(?:ref|term):`([^`]+)`")
    for i, line in enumerate(lines):
        lines[i] = pattern.sub(lambda m: (m.group(1) or m.group(2)).strip(), line)
    # "Added in version 1.4" and the like refer to scikit-learn's versions, not skselect's:
    # drop those directives (and their indented bodies) from inherited docstrings.
    kept, skipping, indent = [], False, 0
    for line in lines:
        stripped = line.lstrip()
        if re.match(r"\.\. (?:versionadded|versionchanged|deprecated)::", stripped):
            skipping, indent = True, len(line) - len(stripped)
            continue
        if skipping and (not stripped or len(line) - len(stripped) > indent):
            continue
        skipping = False
        kept.append(line)
    lines[:] = kept


def _escape_initials_in_citations(app, what, name, obj, options, lines):
    """``.. [1] M. Sultan, ...``: reST reads "M." as the start of an enumerated list, whose
    marker then sits on top of the citation label. Escaping the period keeps it plain text."""
    import re

    pattern = re.compile(r"^(\s*\.\. \[[^\]]+\]\s+)([A-Za-z])\.(\s)")
    for i, line in enumerate(lines):
        lines[i] = pattern.sub(r"\1\2\\.\3", line)


def setup(app):
    app.connect("autodoc-process-docstring", _unlink_third_party_refs)
    app.connect("autodoc-process-docstring", _escape_initials_in_citations)
