"""The scanning step against a fake port and the real simulated document camera: guidance while a
sheet slides in, automatic capture once it lies still, pages per material, retake and delete,
going on only with the required materials, and nothing left after a wipe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drivers.doccam import SimulatedDocumentCamera
from drivers.doccam.encode import MAX_PAGE_BYTES
from drivers.idcard.simulated.samples import sample_identity
from kiosk import events as ev
from kiosk.config import KioskConfig
from kiosk.core.journey import CitizenSession, JourneyState, TransitionRefused, WipeReason
from kiosk.core.material_scans import MaterialScans
from kiosk.core.materials import MaterialsCommands, MaterialsStep

from .conftest import FakeContext, FakeDevice

#: 1600×1200 frames see an A4 sheet at about 95 dpi; the check is lowered to match.
CONFIG = KioskConfig().with_overrides(materials={"steady_frames": 3, "min_dpi": 60})


@pytest.fixture
def scanning(tmp_path: Path, catalog: Any) -> tuple[FakeContext, MaterialsStep, FakeDevice]:
    ctx = FakeContext(tmp_path, CONFIG)
    camera = SimulatedDocumentCamera(fps=1000, width=1600, height=1200, pages=2, move_frames=3, hold_frames=12)
    camera.open()
    device = FakeDevice(camera, deferred=True)  # one frame each time the test pumps
    ctx.devices["document_camera"] = device
    journey = ctx.journey
    journey.session = CitizenSession(service=catalog.service("individual_business"),
                                     identity=sample_identity("resident_id"))
    journey.state = JourneyState.MATERIALS
    step = MaterialsStep(ctx)  # type: ignore[arg-type]  # the fake port
    step.start()
    yield ctx, step, device
    camera.close()


def frames(ctx: FakeContext, device: FakeDevice, count: int) -> None:
    for _ in range(count):
        device.pump()
        ctx.run()


def until_pages(ctx: FakeContext, device: FakeDevice, pages: int, limit: int = 60) -> None:
    scans = ctx.journey.session.materials
    for _ in range(limit):
        if scans.page_count >= pages:
            return
        frames(ctx, device, 1)
    raise AssertionError(f"only {scans.page_count} pages after {limit} frames")


def test_a_sheet_is_guided_in_then_taken_when_it_lies_still(scanning: Any) -> None:
    ctx, step, device = scanning
    scans = ctx.journey.session.materials
    assert isinstance(scans, MaterialScans) and [s.required for s in scans.slots] == [True, False]
    frames(ctx, device, 1)
    assert step.guidance == "move_into_frame"  # the sheet is still sliding in from the edge
    assert step.latest_frame() is not None and step.latest_frame().shape[1] <= 800
    assert ev.PAGE_FRAME_UPDATED in ctx.event_names()
    seen = set()
    for _ in range(10):
        frames(ctx, device, 1)
        seen.add(step.guidance)
        if scans.page_count:
            break
    assert "hold_still" in seen and scans.page_count == 1 and step.guidance == "captured"
    page = scans.slots[0].pages[0]
    assert page.image.startswith(b"\xff\xd8") and len(page.image) <= MAX_PAGE_BYTES
    assert (page.width, page.height) == (1240, 1754) and len(page.thumbnail) < len(page.image)
    assert ev.PAGE_SCANNED in ctx.event_names()
    frames(ctx, device, 5)
    assert scans.page_count == 1  # a page lying there is taken once


def test_pages_fill_the_materials_in_order_and_required_ones_hold_the_citizen(scanning: Any) -> None:
    ctx, step, device = scanning
    scans = ctx.journey.session.materials
    assert not ctx.journey.materials_completed() and ctx.journey.session.message == "materials_missing"
    view = step.view("en")
    assert view is not None and not view["can_continue"] and view["items"][0]["missing"]
    assert view["items"][0]["pages_expected"] == 2 and view["guidance_text"]
    until_pages(ctx, device, 2)
    assert [len(s.pages) for s in scans.slots] == [2, 0] and scans.current == 1  # full: on to the next
    until_pages(ctx, device, 3)
    assert [len(s.pages) for s in scans.slots] == [2, 1]
    files, record = scans.attachments()
    assert sorted(files) == ["material-1-page-1.jpg", "material-1-page-2.jpg", "material-2-page-1.jpg"]
    assert record[0]["name"] == "经营场所使用证明" and record[0]["pages"] == ["material-1-page-1.jpg",
                                                                          "material-1-page-2.jpg"]
    commands = MaterialsCommands(ctx, step)  # type: ignore[arg-type]
    commands.done()
    ctx.run()
    assert ctx.journey.state is JourneyState.REVIEW


def test_retake_puts_the_new_page_in_place_and_delete_removes_one(scanning: Any) -> None:
    ctx, step, device = scanning
    scans = ctx.journey.session.materials
    commands = MaterialsCommands(ctx, step)  # type: ignore[arg-type]
    until_pages(ctx, device, 2)
    first, second = scans.slots[0].pages
    assert commands.thumbnail(first.page_id) == first.thumbnail and commands.thumbnail("p0") is None
    commands.retake_page(0, 0)
    ctx.run()
    assert scans.slots[0].pages == [second] and scans.current == 0
    until_pages(ctx, device, 2)
    assert scans.slots[0].pages[1] is second and scans.slots[0].pages[0] is not first
    commands.delete_page(0, 1)
    ctx.run()
    commands.delete_page(0, 5)  # a double tap: refused (the runtime ignores refusals), not an error
    with pytest.raises(TransitionRefused):
        ctx.run()
    assert scans.slots[0].pages[0] is not second and len(scans.slots[0].pages) == 1


def test_the_take_it_button_takes_the_page_before_it_is_still(scanning: Any) -> None:
    ctx, step, device = scanning
    frames(ctx, device, 2)
    MaterialsCommands(ctx, step).capture()  # type: ignore[arg-type]
    ctx.run()
    frames(ctx, device, 1)
    scans = ctx.journey.session.materials
    assert scans.page_count == 1 and scans.slots[0].pages[0].manual


def test_a_wipe_drops_the_preview_and_pages_in_flight(scanning: Any) -> None:
    ctx, step, device = scanning
    for _ in range(20):
        device.pump()  # frames analysed; their results wait for the journey thread
    step.forget()
    ctx.journey.wipe(WipeReason.CANCELLED)
    ctx.run()  # a page taken before the wipe arrives now and is dropped
    assert step.latest_frame() is None and ctx.journey.session.materials is None
    device.pump()  # the frame queued before the wipe ends the loop
    assert device.pump() == 0


def test_an_unavailable_camera_says_so(scanning: Any) -> None:
    ctx, step, device = scanning
    device.driver.script_fault("unplugged")
    frames(ctx, device, 1)
    assert step.guidance == "unavailable"
    frames(ctx, device, 1)
    assert step.guidance != "unavailable"  # the next frame came
