"""Every rule and format of docs/data-contracts.md → Membership applications, Membership pipeline.

"Successful iff mobile number is 8 digits, applicant over 18 on 2022-01-01 (18th birthday on or
before that reference date, which is a parameter), email has a valid form and a `.com` or
`.net` domain, and a name is present. … `membership_id = <last_name>_<first 5 hex chars of
sha256(YYYYMMDD)>`."
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from footfall.members.applications import clean_name, eighteenth_birthday, evaluate, parse_birth_date

REF = date(2022, 1, 1)


def _row(
    name: str = "Kristen Horn", email: str = "k@lin.com", dob: str = "1974-09-10", mobile: str = "73793102"
) -> dict[str, str]:
    return {"name": name, "email": email, "date_of_birth": dob, "mobile_no": mobile}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1986/01/10", date(1986, 1, 10)),
        ("1974-09-10", date(1974, 9, 10)),
        ("02/27/1974", date(1974, 2, 27)),  # slash, year last: month first
        ("05-02-1968", date(1968, 2, 5)),  # dash, year last: day first
        (" 2004/01/01 ", date(2004, 1, 1)),
        ("13/27/1974", None),  # month 13
        ("1974-02-30", None),
        ("10.01.1986", None),
        ("", None),
        ("19860110", None),
    ],
)
def test_date_shapes(raw: str, expected: date | None) -> None:
    assert parse_birth_date(raw) == expected


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_every_shape_round_trips(day: date) -> None:
    for fmt in ("%Y/%m/%d", "%Y-%m-%d", "%m/%d/%Y", "%d-%m-%Y"):
        assert parse_birth_date(day.strftime(fmt)) == day


@pytest.mark.parametrize(
    ("raw", "first", "last"),
    [
        ("William Dixon", "William", "Dixon"),
        ("Dr. Kimberly Chang", "Kimberly", "Chang"),
        ("Mary Ball MD", "Mary", "Ball"),
        ("Mr. Paul Farley Jr.", "Paul", "Farley"),
        ("Sarah  Mcdaniel", "Sarah", "Mcdaniel"),
        ("Miss Ada Lovelace PhD", "Ada", "Lovelace"),
        ("Mrs. Jo Ann Smith III", "Jo", "Smith"),
        ("Ms. Lee DDS", "", "Lee"),
        ("Tom Hardy DVM", "Tom", "Hardy"),
        ("Ray Sr.", "", "Ray"),
        ("", "", ""),
        ("  Dr.  ", "", ""),
    ],
)
def test_names_lose_titles_and_suffixes(raw: str, first: str, last: str) -> None:
    assert clean_name(raw) == (first, last)


def test_the_reference_date_boundary() -> None:
    on_the_day = evaluate(_row(dob="2004-01-01"), reference_date=REF)
    a_day_later = evaluate(_row(dob="2004-01-02"), reference_date=REF)
    assert on_the_day.successful and on_the_day.above_18
    assert not a_day_later.successful and not a_day_later.above_18
    assert a_day_later.reasons == ("date_of_birth: not over 18 on 2022-01-01",)
    # the reference date is a parameter
    assert evaluate(_row(dob="2004-01-02"), reference_date=date(2022, 1, 2)).successful


def test_a_leap_day_birthday_turns_18_on_the_first_of_march() -> None:
    assert eighteenth_birthday(date(2004, 2, 29)) == date(2022, 3, 1)
    assert not evaluate(_row(dob="2004/02/29"), reference_date=date(2022, 2, 28)).successful
    assert evaluate(_row(dob="2004/02/29"), reference_date=date(2022, 3, 1)).successful


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2010, 12, 31)))
def test_above_18_means_the_18th_birthday_is_on_or_before_the_reference_date(born: date) -> None:
    app = evaluate(_row(dob=born.isoformat()), reference_date=REF)
    turned = eighteenth_birthday(born)
    assert app.above_18 == (turned <= REF)
    assert turned - born >= timedelta(days=18 * 365 + 4)


@pytest.mark.parametrize(
    ("mobile", "ok"),
    [
        ("73793102", True),
        ("8196105", False),
        ("123456789", False),
        ("1234 5678", False),
        ("abcdefgh", False),
        ("", False),
    ],
)
def test_mobile_is_8_digits(mobile: str, ok: bool) -> None:
    app = evaluate(_row(mobile=mobile), reference_date=REF)
    assert app.successful == ok
    assert ok or "mobile_no: not 8 digits" in app.reasons


@pytest.mark.parametrize(
    ("email", "reason"),
    [
        ("William_Dixon@example-fuller.com", None),
        ("mary.ball@stevens.net", None),
        ("Kristen_Horn@lin.biz", "email: domain is not .com or .net"),
        ("Benjamin_Craig@berry", "email: not a valid address"),
        ("no-at-sign.com", "email: not a valid address"),
        ("two@@signs.com", "email: not a valid address"),
        ("a@b.COM", None),
        ("a@com", "email: not a valid address"),
        ("a@b.company", "email: domain is not .com or .net"),
    ],
)
def test_email_form_and_domain(email: str, reason: str | None) -> None:
    app = evaluate(_row(email=email), reference_date=REF)
    assert app.reasons == (() if reason is None else (reason,))


def test_every_failed_rule_is_a_reason_and_nothing_crashes() -> None:
    app = evaluate(_row(name="", email="x@y.biz", dob="31/31/1990", mobile="12"), reference_date=REF)
    assert set(app.reasons) == {
        "name: missing",
        "date_of_birth: not a date in a known format ('31/31/1990')",
        "mobile_no: not 8 digits",
        "email: domain is not .com or .net",
    }
    assert not app.above_18 and app.date_of_birth == ""


def test_membership_id_is_last_name_and_five_hex_chars_of_the_birth_date_hash() -> None:
    app = evaluate(_row(name="Dr. Kimberly Chang", dob="02/27/1974"), reference_date=REF)
    assert app.date_of_birth == "19740227"
    assert app.membership_id == "Chang_" + hashlib.sha256(b"19740227").hexdigest()[:5]
    assert len(app.membership_id.split("_")[1]) == 5


def test_a_keyed_membership_id_cannot_be_recomputed_from_the_date_alone() -> None:
    """docs/access.md: the plain id is the spec's and invertible by brute force; the keyed one needs the key."""
    from footfall.members.applications import membership_id

    plain = membership_id("Chang", "19740227")
    assert plain == "Chang_" + __import__("hashlib").sha256(b"19740227").hexdigest()[:5]
    keyed = membership_id("Chang", "19740227", key="s3cret")
    assert keyed.startswith("Chang_") and len(keyed) == len(plain) and keyed != plain
    assert membership_id("Chang", "19740227", key="s3cret") == keyed  # stable for a key
    assert membership_id("Chang", "19740227", key="other") != keyed
