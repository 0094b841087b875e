"""The homework (seed 000): `config` (settings), `run` (the computations), `figures`,
`pages` (the PDF's layout), `handin` (the standalone script ID.py, from
`handin_template.py`), `document` (all of them in order, and the outputs).
"""

from logitlab.experiments.homework.config import (
    DEFAULT_LEARNING_RATE,
    HomeworkConfig,
    HomeworkSettingsError,
)
from logitlab.experiments.homework.document import (
    HomeworkResult,
    run_homework,
    write_outputs,
)
from logitlab.experiments.homework.run import METRICS_SCHEMA, HomeworkRun

__all__ = [
    "DEFAULT_LEARNING_RATE",
    "METRICS_SCHEMA",
    "HomeworkConfig",
    "HomeworkResult",
    "HomeworkRun",
    "HomeworkSettingsError",
    "run_homework",
    "write_outputs",
]
