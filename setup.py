"""The one compiled part: the fused full-batch kernel (logitlab/backends/_fused.c).

Everything else is in pyproject.toml. The extension is optional: without a C compiler
the install still succeeds and `logitlab.backends.kernels` uses SciPy's sparse products
(same results, about half the speed).
"""

import sys

from setuptools import Extension, setup

unix = sys.platform != "win32"
setup(
    ext_modules=[
        Extension(
            "logitlab.backends._fused",
            ["src/logitlab/backends/_fused.c"],
            depends=[
                "src/logitlab/backends/_fused_rows.h",
                "src/logitlab/backends/_windows_rows.h",
            ],
            # -Wno-psabi: GCC notes that 64-byte vector arguments changed ABI in 4.6;
            # they never cross this file's boundary
            # OpenMP runs the row blocks: threadpoolctl and OMP_NUM_THREADS control it
            extra_compile_args=(
                ["-O3", "-fno-math-errno", "-Wno-psabi", "-fopenmp"] if unix else []
            ),
            extra_link_args=["-fopenmp"] if unix else [],
            optional=True,
        )
    ]
)
