"""Membership applications: clean names and dates, validate, and give successes a membership id.

Rules (docs/data-contracts.md → Membership pipeline): successful iff the mobile number is 8 digits, the
applicant is over 18 on the reference date (18th birthday on or before it), the email has a
valid form and a `.com` or `.net` domain, and a name is present.

Dates come in four shapes; the separator tells the convention of the source system:
`YYYY/MM/DD` and `YYYY-MM-DD` (year first), `MM/DD/YYYY` (slash, year last: US, month first)
and `DD-MM-YYYY` (dash, year last: day first). Anything else, or an impossible date, is a reason.
A 29 February birthday turns 18 on 1 March in a non-leap year.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date

__all__ = [
    "INPUT_COLUMNS",
    "Application",
    "clean_name",
    "eighteenth_birthday",
    "evaluate",
    "membership_id",
    "parse_birth_date",
]

INPUT_COLUMNS = ("name", "email", "date_of_birth", "mobile_no")

_TITLES = {"dr", "mr", "mrs", "ms", "miss", "mx", "prof"}
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "md", "dds", "phd", "dvm", "esq"}
_DATE_SHAPES = (
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), ("m", "d", "y")),
    (re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$"), ("d", "m", "y")),
)
_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+(com|net)$", re.IGNORECASE)
_EMAIL_FORM = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


@dataclass(frozen=True)
class Application:
    """One evaluated application: cleaned fields and the reasons it failed (empty: successful)."""

    first_name: str
    last_name: str
    date_of_birth: str  # YYYYMMDD, or "" when unparseable
    above_18: bool
    reasons: tuple[str, ...]

    @property
    def successful(self) -> bool:
        """Whether every rule holds."""
        return not self.reasons

    @property
    def membership_id(self) -> str:
        """`<last_name>_<first 5 hex chars of sha256(YYYYMMDD)>` (successful applications only)."""
        return membership_id(self.last_name, self.date_of_birth)


def clean_name(raw: str) -> tuple[str, str]:
    """(first name, last name) without titles or suffixes; middle names dropped; ("", "") when none is left."""
    words = [w for w in re.split(r"\s+", raw.strip()) if w]
    while words and words[0].rstrip(".").lower() in _TITLES:
        words.pop(0)
    while words and words[-1].rstrip(".,").lower() in _SUFFIXES:
        words.pop()
    if not words:
        return "", ""
    if len(words) == 1:  # a single name is the family name (it makes the membership id)
        return "", words[0]
    return words[0], words[-1]


def parse_birth_date(raw: str) -> date | None:
    """The date in one of the four documented shapes, or None."""
    text = raw.strip()
    for pattern, order in _DATE_SHAPES:
        match = pattern.match(text)
        if match:
            parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
            try:
                return date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                return None
    return None


def eighteenth_birthday(born: date) -> date:
    """The day the applicant turns 18 (29 February → 1 March in a non-leap year)."""
    try:
        return born.replace(year=born.year + 18)
    except ValueError:
        return date(born.year + 18, 3, 1)


def membership_id(last_name: str, yyyymmdd: str, *, key: str | None = None) -> str:
    """`<last_name>_<first 5 hex chars of sha256(YYYYMMDD)>`; with `key`, of HMAC-SHA256(key, YYYYMMDD) instead.

    The plain form is the membership spec's, and a brute force over dates inverts it to the date of
    birth; the keyed form (FOOTFALL_MEMBERSHIP_ID_KEY, docs/access.md) cannot be inverted without the key.
    """
    digest = hmac.new(key.encode(), yyyymmdd.encode(), hashlib.sha256) if key else hashlib.sha256(yyyymmdd.encode())
    return f"{last_name}_{digest.hexdigest()[:5]}"


def evaluate(row: dict[str, str], *, reference_date: date) -> Application:
    """Clean and validate one input row (`name, email, date_of_birth, mobile_no`)."""
    reasons = []
    first, last = clean_name(row.get("name") or "")
    if not last:
        reasons.append("name: missing")
    born = parse_birth_date(row.get("date_of_birth") or "")
    above_18 = born is not None and eighteenth_birthday(born) <= reference_date
    if born is None:
        reasons.append(f"date_of_birth: not a date in a known format ({(row.get('date_of_birth') or '').strip()!r})")
    elif not above_18:
        reasons.append(f"date_of_birth: not over 18 on {reference_date.isoformat()}")
    mobile = (row.get("mobile_no") or "").strip()
    if not re.fullmatch(r"\d{8}", mobile):
        reasons.append("mobile_no: not 8 digits")
    email = (row.get("email") or "").strip()
    if not _EMAIL_FORM.match(email):
        reasons.append("email: not a valid address")
    elif not _EMAIL.match(email):
        reasons.append("email: domain is not .com or .net")
    return Application(first, last, born.strftime("%Y%m%d") if born else "", above_18, tuple(reasons))
