"""The hand-in script (ID.py): the homework's code as a student would submit it.

`handin_template.py` beside this module is that script, complete and runnable on its
own (NumPy, scikit-learn and matplotlib only), with its settings in one marked block.
`handin_script` fills the block with a run's settings (dataset, digits, class names,
learning rate, epochs, the early epoch of Part 3), so the script repeats the run's Parts
1-3 and Plots 1-4 and prints the numbers metrics.json holds.
"""

from __future__ import annotations

import json
from importlib import resources

from logitlab.experiments.homework.config import MAX_GALLERY, HomeworkConfig

SETTINGS_START = "# --- settings of this run ---\n"
SETTINGS_END = "# --- end of settings ---\n"
_TITLE = (
    '"""Homework: logistic regression with gradient descent (MNIST, digits 0 vs 1).'
)
_USAGE = "python homework.py --data FOLDER"


def _literal(names: tuple[str, str]) -> str:
    """The class names as a Python tuple literal, double-quoted as the rest."""
    return "(" + ", ".join(json.dumps(n, ensure_ascii=False) for n in names) + ")"


def handin_script(
    config: HomeworkConfig,
    class_names: tuple[str, str],
    early_epoch: int,
    *,
    student_id: str | None = None,
    student_name: str | None = None,
) -> str:
    """The template with this run's settings (and the student, if given) filled in;
    its usage line names the file it is saved as (ID.py, or homework.py)."""
    template = (
        resources.files(__package__)
        .joinpath("handin_template.py")
        .read_text(encoding="utf-8")
    )
    head, rest = template.split(SETTINGS_START)
    _, tail = rest.split(SETTINGS_END)
    a, b = config.digits
    settings = [
        f"DIGITS = ({a}, {b})  # the first becomes label 0, the second label 1",
        f"CLASS_NAMES = {_literal(class_names)}",
        f"LEARNING_RATE = {config.learning_rate!r}",
        f"EPOCHS = {config.epochs!r}",
        f"EARLY_EPOCH = {early_epoch!r}  # Part 3 also evaluates the model after this",
        f"MAX_SHOWN = {MAX_GALLERY!r}  # misclassified images per gallery",
    ]
    title = (
        '"""Homework: logistic regression with gradient descent '
        f"({config.dataset}, {class_names[0]} vs {class_names[1]})."
    )
    who = ", ".join(
        part for part in (student_name, student_id and f"id {student_id}") if part
    )
    if who:
        title += f"\n\nHanded in by {who}."
    head = head.replace(_TITLE, title, 1)
    if student_id is not None:
        head = head.replace(_USAGE, f"python {student_id}.py --data FOLDER", 1)
    return head + SETTINGS_START + "\n".join(settings) + "\n" + SETTINGS_END + tail
