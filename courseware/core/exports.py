"""CSV files the site writes, made safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a formula
by spreadsheet programs; text people chose (a name, a team, a journal title) could then open
links or read other cells when a manager opens the export. Such cells get a leading ``'``, as
OWASP recommends, which spreadsheets show as plain text. Every CSV the site writes goes through
:func:`csv_writer` or :func:`stream_csv`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value):
    """``value`` with a leading ``'`` when it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """A ``csv.writer`` whose rows have every text cell neutralised."""

    def __init__(self, stream) -> None:
        self._writer = csv.writer(stream)

    def writerow(self, row: Iterable) -> None:
        self._writer.writerow([neutralised(value) for value in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream) -> SafeWriter:
    """A CSV writer onto ``stream`` that neutralises formulas."""
    return SafeWriter(stream)


def stream_csv(header: Iterable[str], rows: Iterable[Iterable], batch: int = 500) -> Iterator[str]:
    """The CSV text of ``header`` and ``rows`` in chunks of ``batch`` rows, for a streamed
    response whose memory stays flat however many rows there are."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % batch == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
