"""Dates of JSONL and CSV rows written the way spreadsheets write them, as ISO dates.

``14.03.2026 07:40`` is day first wherever dots are written, so it is always read as
``2026-03-14T07:40``. With slashes either order is in use: ``14/03/2026`` can only be day first and
``04/19/2022`` only month first; ``03/04/2026`` could be either. A file's dates share one order, so the
date that could be either is read in the order its other dates tell; when they tell none (no day
over 12 anywhere in it) or both (14/03/2026 and 04/19/2026), it is kept as written.
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


def _impossible(value: object) -> bool:
    """Is ``value`` written as a date this module reads, but no day of the calendar (31/02/2026)?"""
    return isinstance(value, str) and _WRITTEN.fullmatch(value.strip()) is not None and date_order(value) is None


def iso_dates(docs: Iterator[Document], path: str, on_note: Callable[[str], None] | None,
              key: str = "date", rescan: Callable[[], Iterator[Document]] | None = None) -> Iterator[Document]:
    """The documents of one row file, in order, with their ``key`` written day or month first as ISO.

    A date whose own numbers tell its order (14/03/2026, 04/19/2026, 14.03.2026) is read so. One that
    could be either (03/04/2026) is read in the order the file's other dates tell, when they tell one
    and only one: documents are held back from the first such date until the file ends (a date
    further down could still tell the other order), never reordered; with ``rescan`` (the same file's
    documents read again) the file's dates are read through once at its first such date instead, so
    that nothing is held. When the file tells both orders, or none, its ambiguous dates are kept as
    written; these and impossible dates (31/02/2026) get one note.
    """
    orders: dict[str, str] = {}   # order -> the first date telling it
    held: list[Document] = []
    kept: list[str] = []
    impossible: list[str] = []
    waiting = False   # an ambiguous date is held
    final = False     # the file's dates all read through (rescan): its orders are known

    def release(order: str | None) -> Iterator[Document]:
        for doc in held:
            value = doc.meta.get(key)
            told = date_order(value)
            if told is not None:
                read_as = told[1] if told[1] is not None else order
                if read_as is None:   # ambiguous, in a file that tells no order or both
                    kept.append(value)
                else:
                    doc.meta[key] = iso_date(value, read_as)
            elif _impossible(value):
                impossible.append(value)
            yield doc
        held.clear()

    for doc in docs:
        value = doc.meta.get(key)
        told = date_order(value)
        if told is not None and told[0] != "same" and told[1] is not None:
            orders.setdefault(told[1], value)
        held.append(doc)
        if told == ("slashes", None) and rescan is not None:   # every order the file tells, known now
            for other in rescan():
                said = date_order(other.meta.get(key))
                if said is not None and said[0] != "same" and said[1] is not None:
                    orders.setdefault(said[1], other.meta[key])
            rescan, final = None, True
        waiting = not final and (waiting or told == ("slashes", None))
        if len(orders) > 1:   # the file tells both orders: nothing ambiguous is read
            yield from release(None)
            waiting = False
        elif not waiting:
            yield from release(next(iter(orders), None))
    yield from release(next(iter(orders), None) if len(orders) == 1 else None)
    if on_note is None:
        return
    if kept:
        shown = ", ".join(dict.fromkeys(kept[:3]))
        if len(orders) > 1:
            why = (f"the file writes dates both day first ({orders[DAY_FIRST]}) and month first "
                   f"({orders[MONTH_FIRST]}), so day and month of these cannot be told apart")
        else:
            why = "no date in the file has a day over 12, so day and month cannot be told apart"
        on_note(f"{path}: {len(kept)} date{'s' if len(kept) > 1 else ''} kept as written ({shown}): {why}; "
                "write them as ISO dates (2026-03-14) to have them read")
    if impossible:
        shown = ", ".join(dict.fromkeys(impossible[:3]))
        on_note(f"{path}: {len(impossible)} date{'s' if len(impossible) > 1 else ''} kept as written ({shown}): "
                "no such day in the calendar; check the date")
