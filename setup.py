"""The one compiled part: the fused full-batch kernel (logitlab/models/_fused.c).

Everything else is in pyproject.toml. The extension is optional: without a C compiler
the install still succeeds and `logitlab.models._kernels` uses SciPy's sparse products
(same results, about half the speed).
"""

import sys

from setuptools import Extension, setup

unix = sys.platform != "win32"
setup(
    ext_modules=[
        Extension(
            "logitlab.models._fused",
            ["src/logitlab/models/_fused.c"],
            depends=[
                "src/logitlab/models/_fused_rows.h",
                "src/logitlab/models/_windows_rows.h",
                "src/logitlab/models/_pool.h",
            ],
            # -Wno-psabi: GCC notes that 64-byte vector arguments changed ABI in 4.6;
            # they never cross this file's boundary
            extra_compile_args=["-O3", "-fno-math-errno", "-Wno-psabi"] if unix else [],
            optional=True,
        )
    ]
)
