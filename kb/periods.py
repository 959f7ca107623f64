"""Calendar periods for the patterns stage: month, quarter and year keys of case dates.

A case date is ``JJJJ-MM`` or ``JJJJ-MM-DD``. Periods are written ``2024-03`` (maand),
``2024-K1`` (kwartaal) and ``2024`` (jaar), so they sort as text in calendar order.
"""

from __future__ import annotations

import re

from kb.errors import InvalidInput

PERS = ("maand", "kwartaal", "jaar")
PERIOD_PATTERN = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])|-K([1-4]))?$")


def check_per(per: str | None) -> str:
    per = (per or "kwartaal").strip().lower()
    if per not in PERS:
        raise InvalidInput(f"periode '{per}' is onbekend; kies uit {', '.join(PERS)}")
    return per


def last_month(date: str) -> str:
    """The last month a date bound covers: a year (``tot=2024``) ends in December."""
    return f"{date}-12" if len(date) == 4 else date


def period_of(datum: str, per: str) -> str:
    """The period of a case date: ``period_of("2024-05-17", "kwartaal") == "2024-K2"``."""
    year, month = datum[:4], int(datum[5:7])
    if per == "maand":
        return f"{year}-{month:02d}"
    if per == "kwartaal":
        return f"{year}-K{(month - 1) // 3 + 1}"
    return year


def _index(period: str) -> tuple[int, str]:
    """A period as a running month number (its first month) and its kind."""
    match = PERIOD_PATTERN.match(period)
    if match is None:
        raise InvalidInput(f"'{period}' is geen periode; gebruik JJJJ, JJJJ-MM of JJJJ-K1..K4")
    year, month, quarter = match.groups()
    if month:
        return int(year) * 12 + int(month) - 1, "maand"
    if quarter:
        return int(year) * 12 + (int(quarter) - 1) * 3, "kwartaal"
    return int(year) * 12, "jaar"


def _from_index(index: int, per: str) -> str:
    year, month = divmod(index, 12)
    return period_of(f"{year:04d}-{month + 1:02d}", per)


STEP = {"maand": 1, "kwartaal": 3, "jaar": 12}


def shift(period: str, steps: int) -> str:
    """The period ``steps`` periods later (negative: earlier), of the same kind."""
    index, per = _index(period)
    return _from_index(index + steps * STEP[per], per)


def bounds(period: str) -> tuple[str, str]:
    """First and last month of a period: ``bounds("2024-K2") == ("2024-04", "2024-06")``."""
    index, per = _index(period)
    last = index + STEP[per] - 1
    return _from_index(index, "maand"), _from_index(last, "maand")


def between(first: str, last: str) -> list[str]:
    """Every period from ``first`` to ``last`` inclusive, gaps filled (for time lines)."""
    start, per = _index(first)
    end, _ = _index(last)
    return [_from_index(i, per) for i in range(start, end + 1, STEP[per])]


def months_back(month: str, count: int) -> str:
    """The month ``count - 1`` months before ``month``: the first month of a window of ``count``."""
    index, _ = _index(month[:7])
    return _from_index(index - count + 1, "maand")


def partial(period: str, van: str | None, tot: str) -> str | None:
    """A Dutch note when only part of ``period`` lies within ``van``..``tot`` (dates as in a
    selection, ``tot`` inclusive), so that a trend does not silently compare 11 months with 12;
    None when the whole period is covered."""
    first, last = bounds(period)
    low = max(first, van[:7] if len(van) > 4 else f"{van}-01") if van else first
    high = min(last, last_month(tot)[:7])
    if (low, high) == (first, last):
        return None
    months = max(0, _index(high)[0] - _index(low)[0] + 1)
    return f"{period} telt alleen {low} t/m {high} ({months} van {STEP[_index(period)[1]]} maanden)"
