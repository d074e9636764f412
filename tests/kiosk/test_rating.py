"""好差评: a rating after a submission is queued like one and counted by the real platform."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from egov_protocol.protocol import RATING_FORM_ID
from kiosk.rating import LEVELS, REASONS, RatingRefused, make_rating, rating_view
from tests.conftest import operator_client


def test_ratings_are_checked_and_carry_no_personal_data() -> None:
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    rating = make_rating("residence_permit", "110105-T01-20260601-000007", 4.0,
                         ["waiting", "operation", "waiting"], now)
    assert rating.level == 4 and rating.reasons == ("operation", "waiting")
    payload = rating.payload("110105", "110105-T01")
    assert payload["form_id"] == RATING_FORM_ID and payload["receipt_number"] == "110105-T01-20260601-000007-R"
    assert payload["rating_of"] == "110105-T01-20260601-000007"
    assert set(payload) == {"schema", "submission_id", "receipt_number", "rating_of", "form_id", "form_version",
                            "service_id", "level", "reasons", "site_code", "terminal_id", "rated_at"}
    for level, reasons in ((0, []), (6, []), (True, []), ("5", []), (2.5, []),
                           (3, ["rude"]), (3, "operation"), (3, [1])):
        with pytest.raises(RatingRefused):
            make_rating("s", "r", level, reasons)
    view = rating_view("zh-CN", None)
    assert [x["label"] for x in view["levels"]] == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    assert len(view["reasons"]) == len(REASONS) and not view["rated"]
    assert next(x["label"] for x in rating_view("en", 5)["levels"]) == "Very satisfied"
    assert sorted(LEVELS) == [1, 2, 3, 4, 5]


def _wait_for(predicate, timeout: float = 30.0):
    """Poll until ``predicate()`` is truthy (a bound on waiting, not a timing assertion)."""
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > end:
            return value
        time.sleep(0.1)


def test_a_rating_reaches_the_real_platform_once_and_is_counted(demo, core_driver) -> None:
    operator = operator_client(demo.central, "fleet-operator")

    def _get(path: str) -> dict:
        return operator.get(path).raise_for_status().json()

    before = _get("/v1/ratings")
    core_driver.walk_to_form()
    done = core_driver.submit()
    assert done["rating"] == {**rating_view("zh-CN", None)}
    core = core_driver.core
    core.rate_service(2, ["waiting", "guidance"])
    snapshot = core_driver.wait_for(lambda s: s["rating"] and s["rating"]["rated"])
    assert snapshot["rating"]["rated_level"] == 2
    core.rate_service(5, [])  # one rating per session: ignored
    core.rate_service(5, [])
    after = _wait_for(lambda: (r := _get("/v1/ratings"))["total"] > before["total"] and r)
    assert after["total"] == before["total"] + 1
    assert after["levels"]["2"] == before["levels"]["2"] + 1
    # Stored by the outbox, acknowledged, and shown on the operators' page without personal data.
    counts = _wait_for(lambda: (c := core.outbox_counts()).get("queued", 0) == 0 and c)
    assert counts.get("acked", 0) >= 2
    admin = operator_client(demo.central, "admin")  # sees the applications beside the ratings
    page = admin.get("/").text
    admin.close()
    assert "好差评 Ratings" in page and "不满意 Dissatisfied" in page
    assert "陈静怡" not in page
    # Ratings are not applications: the list and its count hold the application only.
    from central.store import open_platform_store

    store = open_platform_store(demo.central.data_dir, demo.central.database_url)
    try:
        applications, _ = store.submissions(ratings=False)
        ratings, _ = store.submissions(ratings=True)
    finally:
        store.close()
    assert ratings >= 1
    assert f"{applications} application{'' if applications == 1 else 's'} in total" in page
    assert done["receipt_number"] in page and f'{done["receipt_number"]}-R' not in page
    core_driver.finish()
    assert core.snapshot()["rating"] is None
    # Delivered again (a resend after a lost ack): still counted once.
    assert _get("/v1/ratings")["total"] == after["total"]


def test_nothing_to_rate_before_a_submission(core_driver) -> None:
    core = core_driver.core
    core.rate_service(5, [])
    core.choose_service("residence_permit")
    snapshot = core_driver.wait_screen("notice")
    assert snapshot["rating"] is None
    core_driver.finish()
