"""The back office and the progress page in a real browser (Playwright driving Debian's
Chromium) against a real ``kiosk-central`` process, fed by a real terminal: ``kioskctl enroll``,
the kiosk's own submission writer seals an application (sample ID card, its photo, a live
photo the terminal marked for staff review, a signature), ``kioskctl sync`` delivers it. A case
worker logs in with TOTP, finds the case by its receipt number, opens it with a reason, sees the
two photos side by side with the match score, accepts and completes it; the citizen looks the
case up with the receipt number and ID number and sees 已办结 with no personal data.

Screenshots of the queue, the case and the progress page go to ``tests/_screenshots``
(``docs/screens/platform_*.png`` are copies)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from central.operators import OperatorAccounts
from central.publishing import publish
from central.store import open_platform_store
from central.tables import submissions
from central.trail import PlatformTrail
from drivers.idcard.simulated.samples import sample_identity, sample_photo_jpeg
from kiosk.applicant import applicant_record
from kiosk.cli import main as kioskctl
from kiosk.config import load_config
from kiosk.enrollment import Enrollment
from kiosk.submission import Draft, SubmissionWriter
from sync.local_central import LocalCentral, free_port
from tests.central.conftest import SCREENSHOTS, first_log_in

IDENTITY = sample_identity("resident_id")
REASON = "受理审核 checking the application"


@pytest.fixture
def platform(tmp_path):
    server = LocalCentral(tmp_path / "central", free_port())
    server.start()
    yield server
    server.stop()


def terminal_submits(platform: LocalCentral, tmp_path: Path) -> str:
    """Enroll a terminal, store one application through the kiosk's writer, sync it; its
    receipt number."""
    config_path = tmp_path / "kiosk.toml"
    config_path.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n'
                           f'[central]\nurl = "{platform.url}"\n'
                           '[terminal]\nterminal_id = "T07"\n', encoding="utf-8")
    assert kioskctl(["--config", str(config_path), "enroll", "--token",
                     platform.issue_token()]) == 0
    config = load_config(str(config_path))
    data = config.storage.resolved_data_dir()
    writer = SubmissionWriter(data / "kiosk.db", Enrollment(data), config.terminal.site_code,
                              config.terminal.terminal_id, 1024 * 1024)
    writer.start().result()
    photo = sample_photo_jpeg()
    assert photo, "the sample portrait needs scikit-image (installed by make setup)"
    verification = {"decision": "staff_review", "reasons": ["liveness:not_performed"],
                    "match": {"backend": "dlib", "score": 0.3712, "threshold": 0.6,
                              "matched": True},
                    "liveness": {"passed": False, "reasons": ["not_performed"]},
                    "capture": "automatic"}
    try:
        accepted = writer.submit(Draft(
            "flexible-employment", "flexible-employment-insurance", 1, "zh-CN",
            {**applicant_record(IDENTITY), "identity_verification": verification},
            {"insured_type": "灵活就业人员", "phone": "13800000000",
             "signature": {"w": 400, "h": 160,
                           "strokes": [[30, 110, 60, 40, 90, 110], [120, 60, 200, 60],
                                       [160, 30, 160, 130, 220, 120]]}},
            {"face.jpg": photo, "document_photo.jpg": photo})).result()
    finally:
        writer.stop()
    assert kioskctl(["--config", str(config_path), "sync"]) == 0
    return accepted.receipt_number


def test_a_case_worker_opens_accepts_and_completes_and_the_citizen_sees_the_progress(
        browser, platform, tmp_path):
    receipt = terminal_submits(platform, tmp_path)
    publish(platform.data_dir / "published", "catalog", {"services": [
        {"id": "flexible-employment", "title": {"zh-CN": "灵活就业参保登记",
                                                "en": "Flexible employment insurance"}}]})
    store = open_platform_store(platform.data_dir)
    new = OperatorAccounts(store.db, platform.data_dir / "keys").add("li.na", "case-worker")
    SCREENSHOTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(platform.url + "/cases")
    assert page.url.endswith("/login")  # no session, no queue
    first_log_in(page, "li.na", new.password, new.totp_uri, "窗口 window clerk 2026")
    page.wait_for_url(platform.url + "/")

    page.goto(platform.url + "/cases")
    page.wait_for_selector(f"[id='case-{receipt}']")
    assert IDENTITY.name not in page.content()
    page.screenshot(path=str(SCREENSHOTS / "platform_cases_queue.png"), full_page=True)
    page.fill("#filter-receipt", receipt)
    page.click("#filter")
    page.click(f"text={receipt}")
    page.wait_for_selector("#reason")
    assert IDENTITY.name not in page.content()  # nothing personal before a reason is given

    page.fill("#reason", REASON)
    page.click("#open")
    page.wait_for_selector("#live-photo")
    for photo in ("#live-photo", "#document-photo"):  # decoded and drawn by the browser
        assert page.eval_on_selector(photo, "img => img.naturalWidth") > 0
    assert "Staff review needed" in page.inner_text("#staff-review")
    assert "0.3712" in page.inner_text("#match-score")
    assert IDENTITY.name in page.inner_text("#applicant")
    assert page.query_selector("svg.signature path") is not None
    page.screenshot(path=str(SCREENSHOTS / "platform_case.png"), full_page=True)

    page.fill("#note-accept", "材料齐全，予以受理")
    page.click("#do-accept")
    page.wait_for_selector("#status:has-text('已受理')")
    page.select_option("#result-complete", "pickup")
    page.fill("#note-complete", "请于3个工作日后凭回执到3号窗口领取")
    page.click("#do-complete")
    page.wait_for_selector("#status:has-text('已办结')")
    assert page.query_selector("#do-accept") is None  # a completed case has no actions

    citizen = browser.new_page(viewport={"width": 420, "height": 860})  # a phone, no session
    citizen.goto(platform.url + "/progress")
    citizen.fill("#receipt-number", receipt)
    citizen.fill("#id-number", IDENTITY.document_number)
    citizen.click("#look-up")
    citizen.wait_for_selector("#status:has-text('已办结')")
    assert "灵活就业参保登记" in citizen.inner_text("#service")
    assert "?t=" in citizen.url
    html = citizen.content()
    assert "3号窗口" in citizen.inner_text("#note")
    for personal in (IDENTITY.name, IDENTITY.document_number, IDENTITY.address, "13800000000",
                     "li.na", REASON):
        assert personal not in html
    citizen.screenshot(path=str(SCREENSHOTS / "platform_progress.png"), full_page=True)
    citizen.close()
    page.close()

    actions = [(e["operator"], e["action"], e["subject"])
               for e in reversed(PlatformTrail(store.db).entries())]
    assert ("li.na", "opened case", f"{receipt} submission "
            f"{actions and _submission_id(store, receipt)}: {REASON}") in actions
    assert [a for _, a, _ in actions if a.startswith("case ")] == ["case accept",
                                                                   "case complete"]


def _submission_id(store, receipt: str) -> str:
    with store.db.transaction(write=False) as conn:
        return conn.execute(select(submissions.c.id)
                            .where(submissions.c.receipt_number == receipt)).scalar()
