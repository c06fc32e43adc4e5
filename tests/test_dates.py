"""monitor/dates.py: the one place dates are read and written."""

import time
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from monitor import dates


@pytest.mark.parametrize("value, want", [
    ("2019-11-26", "2019-11-26T00:00:00Z"),
    ("2019-11-26T10:00:00+02:00", "2019-11-26T08:00:00Z"),
    ("2019-11-26T10:00:00Z", "2019-11-26T10:00:00Z"),
    ("2019-11-26T10:00:00.123z", "2019-11-26T10:00:00Z"),
    ("2019-11-26 10:00", "2019-11-26T10:00:00Z"),
    ("Tue, 26 Nov 2019 10:00:00 +0200", "2019-11-26T08:00:00Z"),
    ("Tue, 26 Nov 2019 10:00:00 GMT", "2019-11-26T10:00:00Z"),
    ("26 Nov 2019 10:00 -0000", "2019-11-26T10:00:00Z"),
    (time.struct_time((2019, 11, 26, 10, 0, 0, 1, 330, 0)), "2019-11-26T10:00:00Z"),
    ((2019, 11, 26, 10, 0, 0, 1, 330, 0), "2019-11-26T10:00:00Z"),
    (date(2019, 11, 26), "2019-11-26T00:00:00Z"),
    (datetime(2019, 11, 26, 10, tzinfo=timezone(timedelta(hours=1))), "2019-11-26T09:00:00Z"),
    (datetime(1900, 1, 1), "1900-01-01T00:00:00Z"),
    ("2100-12-31T23:59:59Z", "2100-12-31T23:59:59Z"),
])
def test_accepted_shapes_give_one_rfc3339_form(value, want):
    assert dates.to_rfc3339(value) == want
    assert dates.read(value) == (want, None)


@pytest.mark.parametrize("value, why", [
    ("Fri, 31 Dec 9999 23:59:59 GMT", "outside 1900-2100"),
    ("0202-05-01", "outside 1900-2100"),
    ("9999-12-31T23:59:59-01:00", "not a date"),  # UTC would be year 10000
    ((9999, 12, 31, 23, 59, 59, 4, 365, 0), "outside 1900-2100"),
    ("1899-12-31", "outside 1900-2100"),
    ("yesterday", "not a date"),
    ("2019-13-45", "not a date"),
    (1574762400, "not a date"),
    ({"y": 2019}, "not a date"),
])
def test_unreadable_or_out_of_range_is_dropped_with_a_reason(value, why):
    text, problem = dates.read(value)
    assert text is None and why in problem
    assert dates.parse(value) is None
    with pytest.raises(dates.DateError):
        dates.strict(value)


def test_absent_is_no_date_and_no_problem():
    for value in (None, "", "   "):
        assert dates.read(value) == (None, None)


def test_formatter_always_writes_four_digit_years():
    # strftime("%Y") writes year 202 as "202" on glibc: not RFC 3339.
    assert dates.rfc3339(datetime(202, 5, 1, tzinfo=UTC)) == "0202-05-01T00:00:00Z"
    assert dates.rfc3339(datetime(2019, 1, 2, 3, 4, 5)) == "2019-01-02T03:04:05Z"


def test_query_bounds_are_not_range_checked():
    assert dates.strict("2999-01-01", bounded=False) == datetime(2999, 1, 1, tzinfo=UTC)


def test_ago_and_now():
    at = datetime(2020, 1, 2, tzinfo=UTC)
    assert dates.ago(timedelta(days=1), at) == "2020-01-01T00:00:00Z"
    assert dates.parse(dates.now_rfc3339()) is not None
