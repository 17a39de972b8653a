"""EventBridge schedule expressions: ``rate(...)``, ``cron(...)`` and (Scheduler) ``at(...)``.

AWS cron has six fields (minutes hours day-of-month month day-of-week year), ``?`` in
one of the day fields, and day-of-week 1-7 from Sunday (or SUN-SAT). cronsim (pinned)
evaluates the first five after day-of-week is mapped to cron's 0-6; the year field is
checked here. All times are UTC, as EventBridge's are unless a Scheduler timezone is set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cronsim import CronSim, CronSimError

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((.+)\)$")
_AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")
_UNIT = {"minute": 60, "hour": 3600, "day": 86400}
_DAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}


class InvalidExpression(ValueError):
    """Not a schedule expression EventBridge accepts (its ValidationException)."""


@dataclass(frozen=True)
class Schedule:
    """A parsed expression: ``next_after(t)`` is the first firing time strictly after ``t`` (None: never)."""

    expression: str
    rate: timedelta | None = None
    cron: str | None = None
    years: str = "*"
    at: datetime | None = None

    def next_after(self, moment: datetime) -> datetime | None:
        if self.rate is not None:
            return moment + self.rate
        if self.at is not None:
            return self.at if self.at > moment else None
        assert self.cron is not None
        start = moment.replace(second=0, microsecond=0)
        for candidate in CronSim(self.cron, start):
            if candidate <= moment:
                continue
            if candidate.year > moment.year + 200:
                return None
            if self.years == "*" or _year_matches(self.years, candidate.year):
                return candidate
        return None


def _year_matches(field: str, year: int) -> bool:
    for part in field.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/")
            step = int(step_text)
        if part == "*":
            low, high = 1970, 2199
        elif "-" in part:
            low, high = (int(x) for x in part.split("-"))
        else:
            low = high = int(part)
        if low <= year <= high and (year - low) % step == 0:
            return True
    return False


def _dow(field: str) -> str:
    """AWS day-of-week (1-7 from Sunday, or names) as cron's 0-6; ``?`` as ``*``."""
    if field == "?":
        return "*"

    def one(token: str) -> str:
        base, _, nth = token.partition("#")
        value = _DAYS.get(base.upper()) if not base.isdigit() else int(base)
        if value is None and base.endswith("L") and base[:-1].isdigit():
            return f"{int(base[:-1]) - 1}L"
        if value is None or not 1 <= value <= 7:
            raise InvalidExpression(f"day-of-week {token!r} is not 1-7 or SUN-SAT")
        return str(value - 1) + (f"#{nth}" if nth else "")

    parts = []
    for item in field.split(","):
        if item == "*":
            parts.append("*")
        elif "-" in item:
            low, high = item.split("-")
            parts.append(f"{one(low)}-{one(high)}")
        else:
            parts.append(one(item))
    return ",".join(parts)


def parse(expression: str) -> Schedule:
    """A :class:`Schedule`, or InvalidExpression with the reason."""
    text = expression.strip()
    if match := _RATE.match(text):
        value, unit = int(match.group(1)), match.group(2)
        if value <= 0:
            raise InvalidExpression("a rate must be a positive whole number")
        if (value == 1) != (not unit.endswith("s")):
            raise InvalidExpression(f"rate({value} {unit}): use the singular unit for 1 and the plural otherwise")
        return Schedule(text, rate=timedelta(seconds=value * _UNIT[unit.rstrip("s")]))
    if match := _AT.match(text):
        return Schedule(text, at=datetime.fromisoformat(match.group(1)).replace(tzinfo=UTC))
    if match := _CRON.match(text):
        fields = match.group(1).split()
        if len(fields) != 6:
            raise InvalidExpression(f"{text}: cron needs six fields (minutes hours day-of-month month day-of-week year)")
        minute, hour, dom, month, dow, year = fields
        if (dom == "?") == (dow == "?"):
            raise InvalidExpression(f"{text}: exactly one of day-of-month and day-of-week must be '?'")
        cron = " ".join([minute, hour, "*" if dom == "?" else dom, month, _dow(dow)])
        try:
            CronSim(cron, datetime(2000, 1, 1, tzinfo=UTC))
            if year != "*":
                _year_matches(year, 2000)
        except (CronSimError, ValueError) as err:
            raise InvalidExpression(f"{text}: {err}") from None
        return Schedule(text, cron=cron, years=year)
    raise InvalidExpression(f"{expression!r} is not rate(...), cron(...) or at(...)")
