"""Dates of JSONL and CSV rows written the way spreadsheets write them, as ISO dates.

``14.03.2026 07:40`` is day first wherever dots are written, so it is always read as
``2026-03-14T07:40``. With slashes either order is in use: ``14/03/2026`` can only be day first and
``04/19/2022`` only month first; ``03/04/2026`` could be either. A file's dates share one order, so the
first date that tells it decides for the file's others; a date the file never tells the order of
(no day over 12 anywhere in it) is kept as written, and so is one that contradicts the file's order.
Anything else (ISO already, "March 14", two-digit years) is left as it is.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator

from corpus.records import Document

_WRITTEN = re.compile(r"(\d{1,2})([./])(\d{1,2})\2(\d{4})(?:[ ,T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
DAY_FIRST, MONTH_FIRST = "day first", "month first"


def date_order(value: object) -> tuple[str, str | None] | None:
    """How ``value`` is written: ``("dots" or "slashes", order)``, the order being the one its own
    numbers tell, or None for a slashed date whose day and month are both 12 or less (``"same"`` when
    they are equal: either order reads it); None when it is no written date this module reads, or no
    possible date."""
    m = _WRITTEN.fullmatch(value.strip()) if isinstance(value, str) else None
    if m is None:
        return None
    if m.group(2) == ".":
        return ("dots", DAY_FIRST) if _iso(m, DAY_FIRST) else None
    fits = [order for order in (DAY_FIRST, MONTH_FIRST) if _iso(m, order)]
    if not fits:
        return None
    if len(fits) == 2:   # 03/04/2026; 03/03/2026 reads the same either way and tells nothing
        return ("same", DAY_FIRST) if int(m.group(1)) == int(m.group(3)) else ("slashes", None)
    return "slashes", fits[0]


def iso_date(value: str, order: str) -> str | None:
    """``value`` (a written date) as an ISO date, or date and time, read in ``order``; None if impossible."""
    m = _WRITTEN.fullmatch(value.strip())
    return _iso(m, order) if m is not None else None


def _iso(m: re.Match[str], order: str) -> str | None:
    first, second, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
    day, month = (first, second) if order == DAY_FIRST else (second, first)
    try:
        date = datetime.date(year, month, day)
        if m.group(5) is None:
            return date.isoformat()
        seconds = m.group(7)
        time = datetime.time(int(m.group(5)), int(m.group(6)), int(seconds or 0))
    except ValueError:
        return None
    return f"{date.isoformat()}T{time.isoformat(timespec='seconds' if seconds else 'minutes')}"


def iso_dates(docs: Iterator[Document], path: str, on_note: Callable[[str], None] | None,
              key: str = "date") -> Iterator[Document]:
    """The documents of one row file, in order, with their ``key`` written day or month first as ISO.

    Documents are held back from the first date whose order is not yet known until a later one tells
    it (or the file ends): the file's dates are read in one order. Dates kept as written get one note.
    """
    order: str | None = None
    held: list[Document] = []
    kept: list[str] = []

    def release() -> Iterator[Document]:
        for doc in held:
            value = doc.meta.get(key)
            told = date_order(value)
            if told is not None:
                kind, own = told
                read_as = own if kind in ("dots", "same") or own == order else order if own is None else None
                if read_as is None:   # ambiguous in a file that never tells, or against the file's order
                    kept.append(value)
                else:
                    doc.meta[key] = iso_date(value, read_as)
            yield doc
        held.clear()

    for doc in docs:
        told = date_order(doc.meta.get(key))
        if order is None and told is not None and told[0] != "same" and told[1] is not None:
            order = told[1]
        held.append(doc)
        waiting = order is None and (len(held) > 1 or told is not None and told[1] is None)
        if not waiting:
            yield from release()
    yield from release()
    if kept and on_note is not None:
        shown = ", ".join(dict.fromkeys(kept[:3]))
        why = (f"the file's other dates are written {order}" if order is not None
               else "no date in the file has a day over 12, so day and month cannot be told apart")
        on_note(f"{path}: {len(kept)} date{'s' if len(kept) > 1 else ''} kept as written ({shown}): {why}; "
                "write them as ISO dates (2026-03-14) to have them read")
