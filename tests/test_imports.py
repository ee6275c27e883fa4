"""Every module imports on its own, and the package's import graph has no cycle."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import skselect

PACKAGE_DIR = Path(skselect.__file__).resolve().parent


def _module_names():
    names = ["skselect"]
    names += [info.name for info in pkgutil.walk_packages(skselect.__path__, prefix="skselect.")]
    return sorted(names)


def _source(module):
    relative = Path(*module.split(".")[1:])
    for candidate in (PACKAGE_DIR / relative / "__init__.py", PACKAGE_DIR / f"{relative}.py"):
        if candidate.is_file():
            return candidate
    return None  # a compiled extension: it imports nothing from skselect at module level


def _imports(module, path, known):
    """skselect modules that ``module`` imports, at module level or inside a function.

    Imports inside functions count: two modules that import each other lazily still depend on
    each other. An import of one of the module's own parent packages is left out: a package is
    always initialised before its submodules run, so that edge closes no cycle.
    """
    is_package = path.name == "__init__.py"
    base = module if is_package else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = base.split(".")
                parts = parts[: len(parts) - node.level + 1]
                target = ".".join(parts + ([node.module] if node.module else []))
            else:
                target = node.module
            found.add(target)
            # "from package import submodule" imports the submodule too.
            found.update(f"{target}.{alias.name}" for alias in node.names)
    parents = {module.rsplit(".", depth)[0] for depth in range(1, module.count(".") + 1)}
    return {name for name in found if name in known and name != module and name not in parents}


def _cycles(graph):
    """Every cycle found by a depth-first search, each as a list of modules."""
    cycles, state, stack = [], {}, []

    def dfs(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt) :] + [nxt])
            elif nxt not in state:
                dfs(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            dfs(node)
    return cycles


def test_cycle_finder_finds_a_cycle():
    # The check below must be able to fail.
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c", "a"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_skselect_modules():
    known = set(_module_names())
    graph = {}
    for module in known:
        path = _source(module)
        graph[module] = _imports(module, path, known) if path else set()
    assert graph["skselect.__main__"], "the import graph misses __main__'s imports"
    cycles = _cycles(graph)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_every_module_imports_alone_in_a_fresh_interpreter():
    # One interpreter, emptied of skselect before each import, so that every module is
    # imported first (a cycle shows up as a partially initialised module).
    code = (
        "import importlib, json, sys\n"
        "failures = {}\n"
        "for name in json.loads(sys.argv[1]):\n"
        "    for loaded in [m for m in sys.modules if m.split('.')[0] == 'skselect']:\n"
        "        del sys.modules[loaded]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as exc:\n"
        "        failures[name] = repr(exc)\n"
        "print(json.dumps(failures))\n"
    )
    names = _module_names()
    completed = subprocess.run(
        [sys.executable, "-c", code, json.dumps(names)],
        capture_output=True,
        text=True,
        cwd=Path.home() if Path.home().is_dir() else None,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr
    failures = json.loads(completed.stdout.strip().splitlines()[-1])
    assert not failures, failures
