"""Build the Cython extensions; all metadata lives in pyproject.toml.

Environment switches:

- ``SKSELECT_NO_OPENMP=1``: build without OpenMP (every kernel then runs serially and must
  give the same results).
- ``SKSELECT_CYTHON_BOUNDSCHECK=1`` (or its older name ``SKSELECT_CYTHON_DEBUG=1``): compile
  every memoryview access with a bounds check and every memoryview use with an initialisation
  check, so that an out-of-range index raises IndexError instead of reading or writing past a
  buffer. Negative indices are out of range too (``wraparound`` stays off: no kernel indexes
  from the end). Slower; ``build_tools/test.sh`` runs the kernel tests against such a build.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import os
import sys
import tempfile
from pathlib import Path

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.sdist import sdist

ROOT = Path(__file__).parent

# Every compiled kernel, by module name. The build stops if a .pyx under skselect/ is missing
# here, so a new kernel cannot be left out of the wheel by accident.
EXTENSION_MODULES = [
    "skselect.cluster._ppp._fast",
    "skselect.conformal._conformal_fast",
    "skselect.ordinal._presto_fast",
    "skselect.over_sampling._smote_fast",
    "skselect.utils._openmp_helpers",
]


def _env_flag(name):
    return os.environ.get(name, "0").strip().lower() not in ("", "0", "false", "no")


def _openmp_flags():
    """Return (compile_args, link_args) for OpenMP, or ([], []) when unavailable.

    A test compile decides: a compiler that cannot build and link an OpenMP program (Apple
    clang without libomp, for example) gets a serial build instead of a failed install.
    """
    if _env_flag("SKSELECT_NO_OPENMP"):
        return [], []
    if sys.platform == "win32":
        return ["/openmp"], []
    if sys.platform == "darwin" and "-fopenmp" not in os.environ.get("CPPFLAGS", ""):
        # Apple clang needs libomp and explicit flags; opt in through CPPFLAGS/LDFLAGS.
        return [], []
    compile_args, link_args = ["-fopenmp"], ["-fopenmp"]
    if _compiles_with(compile_args, link_args):
        return compile_args, link_args
    return [], []


def _compiles_with(compile_args, link_args):
    from setuptools._distutils.ccompiler import new_compiler
    from setuptools._distutils.sysconfig import customize_compiler

    source = (
        "#include <omp.h>\n"
        "int main(void) { int n = 0;\n"
        "#pragma omp parallel reduction(+:n)\n"
        "n += 1;\n"
        "return omp_get_max_threads() > 0 ? 0 : 1; }\n"
    )
    compiler = new_compiler()
    customize_compiler(compiler)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "test_openmp.c"
        src.write_text(source)
        try:
            objects = compiler.compile([str(src)], output_dir=tmp, extra_postargs=compile_args)
            compiler.link_executable(
                objects, "test_openmp", output_dir=tmp, extra_postargs=link_args
            )
        except Exception:
            return False
    return True


def _extensions():
    compile_args, link_args = _openmp_flags()
    print(f"skselect: OpenMP {'enabled' if compile_args else 'disabled'}", file=sys.stderr)
    on_disk = {
        ".".join(pyx.relative_to(ROOT).with_suffix("").parts)
        for pyx in ROOT.glob("skselect/**/*.pyx")
    }
    unlisted = sorted(on_disk - set(EXTENSION_MODULES))
    missing = sorted(set(EXTENSION_MODULES) - on_disk)
    if unlisted or missing:
        raise SystemExit(
            f"setup.py: EXTENSION_MODULES is out of date: add {unlisted}, remove {missing}"
        )
    extensions = []
    for module in EXTENSION_MODULES:
        extensions.append(
            Extension(
                module,
                [module.replace(".", "/") + ".pyx"],
                include_dirs=[numpy.get_include()],
                define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_22_API_VERSION")],
                extra_compile_args=["-O3"] * (sys.platform != "win32") + compile_args,
                extra_link_args=link_args,
            )
        )
    debug = _env_flag("SKSELECT_CYTHON_BOUNDSCHECK") or _env_flag("SKSELECT_CYTHON_DEBUG")
    print(f"skselect: Cython bounds checks {'on' if debug else 'off'}", file=sys.stderr)
    return cythonize(
        extensions,
        compiler_directives={
            "language_level": 3,
            "boundscheck": debug,
            "wraparound": False,
            "initializedcheck": debug,
            "nonecheck": False,
            "cdivision": True,
            "embedsignature": True,
        },
        nthreads=os.cpu_count() or 1,
    )


class CleanSdist(sdist):
    """Refuse to ship generated C: it would be compiled against the wrong numpy."""

    def make_release_tree(self, base_dir, files):
        files = [
            f for f in files if not (f.endswith(".c") and Path(f).with_suffix(".pyx").exists())
        ]
        super().make_release_tree(base_dir, files)


setup(ext_modules=_extensions(), cmdclass={"sdist": CleanSdist}, zip_safe=False)
