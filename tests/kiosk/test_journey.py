"""The journey state machine, driven without Qt or threads, with a clock the test controls."""

from __future__ import annotations

import pytest

from drivers.idcard.simulated.samples import sample_identity
from kiosk.applicant import prefill_values
from kiosk.catalog import Catalog
from kiosk.core.journey import (
    RECEIPT_FIELD,
    Errand,
    Journey,
    JourneyState,
    TransitionRefused,
    WipeReason,
)
from kiosk.forms import FormSession


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load_bundled()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def journey(clock: FakeClock) -> Journey:
    return Journey(
        clock,
        lambda definition, identity: FormSession(definition, prefill_values(identity)),
        idle_timeout_s=120,
        idle_warning_s=30,
        done_timeout_s=20,
    )


def fill_residence_permit(form: FormSession) -> None:
    form.set_value("residence_address", "杭州市西湖区文三路 90 号 2 幢 301 室")
    form.set_value("residence_since", "2024-03-01")
    form.set_value("basis", "employment")
    form.set_value("employer", "杭州某某科技有限公司")
    form.set_value("phone", "13800138000")
    form.set_value("collection_method", "pickup")
    form.set_value("declaration", True)


def to_form(journey: Journey, catalog: Catalog) -> None:
    service = catalog.service("residence_permit")
    journey.service_chosen(service, catalog.form_for(service.id))
    journey.notice_accepted()
    journey.document_read(sample_identity("resident_id"))
    journey.photo_taken(b"\xff\xd8jpeg")
    journey.photo_accepted()


def test_whole_journey_in_order(journey: Journey, catalog: Catalog) -> None:
    assert journey.state is JourneyState.ATTRACT and journey.step == 1
    to_form(journey, catalog)
    assert journey.state is JourneyState.FORM and journey.step == 5
    assert journey.session.form.values["name"] == "陈静怡"  # prefilled from the card
    assert not journey.form_completed()
    assert journey.session.message == "form_incomplete"
    fill_residence_permit(journey.session.form)
    assert journey.form_completed()
    assert journey.state is JourneyState.REVIEW
    assert not journey.review_confirmed(False)
    assert journey.session.message == "consent_required"
    assert journey.review_confirmed(True)
    assert journey.state is JourneyState.SUBMITTING
    journey.submission_queued("110105-T01-20261126-0001")
    assert journey.state is JourneyState.PRINTING
    journey.receipt_printed()
    assert journey.state is JourneyState.DONE and journey.step == 8
    assert journey.finished() is WipeReason.FINISHED
    assert journey.state is JourneyState.ATTRACT
    assert journey.session.identity is None and journey.session.form is None


def test_events_out_of_order_are_refused(journey: Journey, catalog: Catalog) -> None:
    with pytest.raises(TransitionRefused):
        journey.notice_accepted()
    with pytest.raises(TransitionRefused):
        journey.document_read(sample_identity("resident_id"))
    service = catalog.service("residence_permit")
    journey.service_chosen(service, catalog.form_for(service.id))
    with pytest.raises(TransitionRefused):
        journey.service_chosen(service, catalog.form_for(service.id))  # double tap
    journey.notice_accepted()
    journey.document_read(sample_identity("resident_id"))
    with pytest.raises(TransitionRefused):
        journey.photo_accepted()  # no photo yet


def test_back_to_identify_forgets_the_document(journey: Journey, catalog: Catalog) -> None:
    to_form(journey, catalog)
    assert journey.went_back() is None and journey.state is JourneyState.FACE
    assert journey.session.photo_jpeg is not None  # the photo is kept on the face screen
    assert journey.went_back() is None and journey.state is JourneyState.IDENTIFY
    assert journey.session.identity is None and journey.session.photo_jpeg is None
    assert journey.session.form is None


def test_back_from_notice_cancels(journey: Journey, catalog: Catalog) -> None:
    service = catalog.service("residence_permit")
    journey.service_chosen(service, catalog.form_for(service.id))
    assert journey.went_back() is WipeReason.CANCELLED
    assert journey.state is JourneyState.ATTRACT and journey.session.service is None


def test_no_way_back_while_storing(journey: Journey, catalog: Catalog) -> None:
    to_form(journey, catalog)
    fill_residence_permit(journey.session.form)
    journey.form_completed()
    journey.review_confirmed(True)
    with pytest.raises(TransitionRefused):
        journey.went_back()
    with pytest.raises(TransitionRefused):
        journey.finished()


def test_idle_warning_then_wipe(journey: Journey, catalog: Catalog, clock: FakeClock) -> None:
    to_form(journey, catalog)
    clock.now += 89
    assert journey.idle_seconds_left() is None
    clock.now += 2
    assert journey.idle_seconds_left() == pytest.approx(29)
    journey.touched()  # one touch extends
    assert journey.idle_seconds_left() is None
    clock.now += 119
    assert journey.tick() is None
    clock.now += 2
    assert journey.tick() is WipeReason.IDLE_TIMEOUT
    assert journey.state is JourneyState.ATTRACT
    assert journey.session.identity is None and journey.session.photo_jpeg is None


def test_attract_and_busy_states_never_time_out(journey: Journey, catalog: Catalog, clock: FakeClock) -> None:
    clock.now += 10_000
    assert journey.tick() is None
    to_form(journey, catalog)
    fill_residence_permit(journey.session.form)
    journey.form_completed()
    journey.review_confirmed(True)
    clock.now += 10_000
    assert journey.tick() is None and journey.state is JourneyState.SUBMITTING


def test_done_screen_returns_to_start_by_itself(journey: Journey, catalog: Catalog, clock: FakeClock) -> None:
    to_form(journey, catalog)
    fill_residence_permit(journey.session.form)
    journey.form_completed()
    journey.review_confirmed(True)
    journey.submission_queued("110105-T01-20261126-0001")
    journey.receipt_print_failed("printer_unavailable")
    assert journey.state is JourneyState.DONE and journey.session.printed is False
    assert journey.session.message == "printer_unavailable"
    clock.now += 21
    assert journey.tick() is WipeReason.FINISHED


def test_failed_submission_returns_to_review(journey: Journey, catalog: Catalog) -> None:
    to_form(journey, catalog)
    fill_residence_permit(journey.session.form)
    journey.form_completed()
    journey.review_confirmed(True)
    journey.submission_failed("disk_full")
    assert journey.state is JourneyState.REVIEW and journey.session.message == "disk_full"


def test_checking_progress_goes_from_the_document_to_the_cases(journey: Journey) -> None:
    journey.errand_chosen(Errand.PROGRESS)
    assert journey.state is JourneyState.IDENTIFY and journey.step_count == 3 and journey.step == 2
    journey.document_read(sample_identity("resident_id"))
    assert journey.state is JourneyState.PROGRESS and journey.step == 3
    assert journey.went_back() is None and journey.state is JourneyState.IDENTIFY
    assert journey.session.identity is None  # another document may be presented now
    assert journey.went_back() is WipeReason.CANCELLED  # no notice before identify: cancelled
    assert journey.state is JourneyState.ATTRACT and journey.session.errand is Errand.APPLY


def test_a_correction_starts_from_the_progress_screen_as_a_linked_application(
        journey: Journey, catalog: Catalog) -> None:
    service = catalog.service("residence_permit")
    with pytest.raises(TransitionRefused):  # only from the progress screen
        journey.corrections_started(service, catalog.form_for(service.id), "R-1")
    journey.errand_chosen(Errand.PROGRESS)
    identity = sample_identity("resident_id")
    journey.document_read(identity)
    journey.session.extras["progress"] = {"phase": "ready", "cases": []}
    journey.corrections_started(service, catalog.form_for(service.id), "R-1")
    session = journey.session
    assert journey.state is JourneyState.FACE and session.errand is Errand.APPLY
    assert session.identity is identity and session.service is service
    assert session.extras == {"corrects_receipt": "R-1"}  # the cases list stays behind
    assert journey.step_count == 8
    journey.photo_taken(b"\xff\xd8jpeg")
    journey.photo_accepted()
    assert journey.state is JourneyState.FORM and session.form is not None


def test_back_from_the_cases_forgets_them(journey: Journey) -> None:
    journey.errand_chosen(Errand.PROGRESS)
    journey.document_read(sample_identity("resident_id"))
    journey.session.extras["progress"] = {"phase": "ready", "cases": ["a case"]}
    journey.went_back()
    assert "progress" not in journey.session.extras


def test_a_scanned_receipt_goes_to_its_case_without_an_identity(journey: Journey, catalog: Catalog) -> None:
    journey.receipt_scanned("R-1", "token")
    session = journey.session
    assert journey.state is JourneyState.PROGRESS and session.errand is Errand.PROGRESS
    assert session.identity is None and session.extras == {RECEIPT_FIELD: {"receipt_number": "R-1", "token": "token"}}
    assert journey.step == 3 and journey.step_count == 3
    service = catalog.service("residence_permit")
    with pytest.raises(TransitionRefused):  # a correction needs the identity
        journey.corrections_started(service, catalog.form_for(service.id), "R-1")
    assert journey.went_back() is None and journey.state is JourneyState.IDENTIFY
    assert RECEIPT_FIELD not in journey.session.extras  # presenting the document now
    journey.receipt_scanned("R-2", "other")  # the progress errand's identify screen takes one too
    assert journey.session.extras[RECEIPT_FIELD]["receipt_number"] == "R-2"
    journey.wipe(WipeReason.CANCELLED)
    assert journey.session.extras == {}
    journey.service_chosen(service, catalog.form_for(service.id))
    with pytest.raises(TransitionRefused):  # not on the notice
        journey.receipt_scanned("R-1", "token")
    journey.notice_accepted()
    with pytest.raises(TransitionRefused):  # nor on an application's identify screen
        journey.receipt_scanned("R-1", "token")


def test_printing_a_certificate_needs_the_document_and_the_face(journey: Journey) -> None:
    journey.errand_chosen(Errand.CERTIFICATE)
    journey.document_read(sample_identity("resident_id"))
    assert journey.state is JourneyState.FACE
    journey.photo_taken(b"\xff\xd8jpeg")
    journey.photo_accepted()
    assert journey.state is JourneyState.CERTIFICATES and journey.session.form is None
    assert journey.went_back() is None and journey.state is JourneyState.FACE


def test_an_application_starts_with_its_service(journey: Journey) -> None:
    with pytest.raises(TransitionRefused):
        journey.errand_chosen(Errand.APPLY)


# ---- the scanning step (材料扫描) ----------------------------------------------------------------
class Scans:
    """Stands in for the session's MaterialScans: which required materials still lack a page."""

    def __init__(self, missing: list[int]) -> None:
        self._missing = missing

    def missing(self) -> list[int]:
        return self._missing


class CompleteForm:
    def is_complete(self) -> bool:
        return True


def to_business_form(journey: Journey, catalog: Catalog) -> None:
    service = catalog.service("individual_business")
    journey.service_chosen(service, catalog.form_for(service.id))
    journey.notice_accepted()
    journey.document_read(sample_identity("resident_id"))
    journey.photo_taken(b"\xff\xd8jpeg")
    journey.photo_accepted()
    journey.session.form = CompleteForm()


def test_a_service_with_required_scanned_materials_scans_them_after_the_form(journey: Journey,
                                                                              catalog: Catalog) -> None:
    to_business_form(journey, catalog)
    assert journey.needs_materials()
    assert journey.form_completed()
    assert journey.state is JourneyState.MATERIALS and journey.step == 5
    assert not journey.materials_completed()  # nothing scanned yet
    assert journey.state is JourneyState.MATERIALS and journey.session.message == "materials_missing"
    journey.session.materials = Scans([0])
    assert not journey.materials_completed()
    journey.session.materials = Scans([])
    assert journey.materials_completed()
    assert journey.state is JourneyState.REVIEW and journey.session.message is None


def test_back_from_review_returns_to_the_scans_and_from_them_to_the_form(journey: Journey,
                                                                         catalog: Catalog) -> None:
    to_business_form(journey, catalog)
    journey.form_completed()
    journey.session.materials = scans = Scans([])
    journey.materials_completed()
    journey.went_back()
    assert journey.state is JourneyState.MATERIALS and journey.session.materials is scans
    journey.went_back()
    assert journey.state is JourneyState.FORM and journey.session.materials is scans  # kept for later
    with pytest.raises(TransitionRefused):
        journey.materials_completed()


def test_another_document_drops_the_scanned_pages(journey: Journey, catalog: Catalog) -> None:
    to_business_form(journey, catalog)
    journey.session.materials = Scans([])
    journey.went_back()  # form → face
    journey.went_back()  # face → identify: another person may present a document
    assert journey.session.materials is None


def test_a_service_without_required_scans_goes_straight_to_review(journey: Journey, catalog: Catalog) -> None:
    to_form(journey, catalog)  # the residence permit's scanned materials are all optional
    fill_residence_permit(journey.session.form)
    assert not journey.needs_materials()
    assert journey.form_completed() and journey.state is JourneyState.REVIEW
    journey.went_back()
    assert journey.state is JourneyState.FORM


def test_a_wipe_drops_the_scanned_pages(journey: Journey, catalog: Catalog) -> None:
    to_business_form(journey, catalog)
    journey.form_completed()
    journey.session.materials = Scans([])
    journey.finished()
    assert journey.session.materials is None and journey.state is JourneyState.ATTRACT
