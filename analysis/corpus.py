"""The raw corpus format: ``sms_id,text,label``, one labelled message a row.

This module owns the format: reading, validating and writing it atomically. The data script
writes it, the offline-source scripts and the analyses read it.
"""

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.atomic_files import atomic_output

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ("sms_id", "text", "label")
LABELS = ("ham", "spam")
_MAX_REPORTED_ERRORS = 10


@dataclass(frozen=True)
class LabelledMessage:
    """One row of the raw corpus."""

    sms_id: str
    text: str
    label: str


class CorpusError(ValueError):
    """The corpus does not follow the ``sms_id,text,label`` format; the message says where."""


def validate(messages: Iterable[LabelledMessage]) -> list[LabelledMessage]:
    """Check ids, texts and labels; return the messages as a list or raise ``CorpusError``.

    Row numbers in the errors count the header as row 1, as a spreadsheet would.
    """
    checked = list(messages)
    errors: list[str] = []
    first_row_of: dict[str, int] = {}
    for row_number, message in enumerate(checked, start=2):
        if not message.sms_id.strip():
            errors.append(f"row {row_number}: empty sms_id")
        elif message.sms_id in first_row_of:
            errors.append(
                f"row {row_number}: duplicate sms_id {message.sms_id!r} "
                f"(first seen in row {first_row_of[message.sms_id]})"
            )
        else:
            first_row_of[message.sms_id] = row_number
        if message.label not in LABELS:
            errors.append(
                f"row {row_number}: label {message.label!r} is not one of {', '.join(LABELS)}"
            )
    if not checked:
        errors.append("the corpus has no rows")
    if errors:
        shown = errors[:_MAX_REPORTED_ERRORS]
        more = len(errors) - len(shown)
        suffix = f"\n  ... and {more} more" if more else ""
        raise CorpusError("invalid corpus:\n  " + "\n  ".join(shown) + suffix)
    return checked


def read_messages(path: Path) -> list[LabelledMessage]:
    """Read and validate a corpus file."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or tuple(header) != COLUMNS:
            raise CorpusError(
                f"{path}: expected the header {','.join(COLUMNS)!r}, found {header!r}"
            )
        messages = []
        for row_number, row in enumerate(reader, start=2):
            if len(row) != len(COLUMNS):
                raise CorpusError(
                    f"{path}: row {row_number} has {len(row)} fields, expected {len(COLUMNS)}"
                )
            messages.append(LabelledMessage(*row))
    return validate(messages)


def read_frame(path: Path) -> "pd.DataFrame":
    """Read and validate a corpus file into a DataFrame with the three string columns."""
    # Imported here: reading and writing the CSV needs the standard library only, so that the
    # data script runs before the project's environment is installed.
    import pandas as pd

    messages = read_messages(path)
    return pd.DataFrame(
        {
            "sms_id": [m.sms_id for m in messages],
            "text": [m.text for m in messages],
            "label": [m.label for m in messages],
        }
    )


def write_atomically(messages: Iterable[LabelledMessage], path: Path) -> int:
    """Validate ``messages`` and write them to ``path`` atomically; return the number of rows."""
    checked = validate(messages)
    with atomic_output(path) as partial, open(partial, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerows((m.sms_id, m.text, m.label) for m in checked)
    return len(checked)
