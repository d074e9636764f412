"""Identifying with a 网证 code through the real QML: the identify screen's 网证 choice, the demo
buttons asking the simulator (a real service in a subprocess on loopback) for a code and holding
it up to the simulated scanner, and what the citizen is told about expired, used and weak codes."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def kiosk(make_kiosk: Any, kiosk_config: Any, netid_service: str) -> Any:
    # A generous verification time: on a loaded machine the service in its subprocess may answer
    # late, and a late answer is "unreachable" to the terminal, not the refusal the test waits for.
    return make_kiosk(kiosk_config.with_overrides(netid={"url": netid_service, "timeout_s": 30}))


def to_identify(kiosk: Any, service: str) -> None:
    kiosk.tap(f"service_{service}")
    kiosk.wait_for_screen("notice")
    kiosk.tap("acceptNoticeButton")
    kiosk.wait_for_screen("identify")
    kiosk.wait_until(lambda: kiosk.state["netid"]["demo"])


def refused_for(kiosk: Any, demo: str, reason: str) -> None:
    kiosk.tap(f"demoNetid_{demo}")
    kiosk.wait_until(lambda: kiosk.state["netid"]["reason"] == reason, timeout_ms=20_000)
    message = kiosk.get("netidMessage")
    kiosk.wait_until(lambda: message.property("text") == kiosk.state["netid"]["message"] != "")
    assert kiosk.state["screen"] == "identify" and kiosk.state["identity"] is None


def test_a_demo_netid_code_identifies_and_prefills_the_form(kiosk: Any) -> None:
    to_identify(kiosk, "flexible_employment_insurance")
    assert kiosk.get("netidPanel").isVisible()
    kiosk.screenshot("netid_01_identify")
    kiosk.tap("useNetidButton")
    assert kiosk.get("netidHowTo").isVisible()
    kiosk.screenshot("netid_02_identify_netid_chosen")

    kiosk.tap("demoNetid_netid")
    kiosk.wait_for_screen("face", timeout_ms=20_000)
    assert kiosk.state["identity"]["name"] == "张三"
    kiosk.wait_until(lambda: kiosk.bridge.frameRevision > 2)
    kiosk.tap("captureButton")
    kiosk.wait_until(lambda: kiosk.state["has_photo"])
    kiosk.tap("usePhotoButton")
    kiosk.wait_for_screen("form")
    fields = {f["id"]: f["value"] for f in kiosk.state["form"]["fields"]}
    assert fields["name"] == "张三" and fields["id_number"] == "110105199003071239"
    assert fields["birth_date"] == "1990-03-07" and fields["sex"] == "male"
    assert kiosk.get("field_name").property("text") == "张三"
    kiosk.screenshot("netid_03_form_prefilled")

    # Back to identify: the identity is gone; an expired and a used code are refused, each
    # with its own words.
    kiosk.tap("backButton")
    kiosk.wait_for_screen("face")
    kiosk.tap("backButton")
    kiosk.wait_for_screen("identify")
    refused_for(kiosk, "expired", "expired")
    kiosk.screenshot("netid_04_expired")
    expired = kiosk.state["netid"]["message"]
    refused_for(kiosk, "used", "already_used")
    assert kiosk.state["netid"]["message"] != expired
    refused_for(kiosk, "forged", "bad_signature")


def test_a_service_needing_a_face_check_refuses_netid_alone(kiosk: Any) -> None:
    to_identify(kiosk, "residence_permit")
    refused_for(kiosk, "netid", "level_too_low")
    kiosk.screenshot("netid_05_level_too_low")
    kiosk.bridge.setLanguage("en")
    kiosk.wait_until(lambda: "face" in kiosk.get("netidMessage").property("text"))
    kiosk.screenshot("netid_06_level_too_low_en")
    kiosk.tap("demoNetid_netid_face")
    kiosk.wait_for_screen("face", timeout_ms=20_000)


def test_an_unreachable_service_is_said_plainly(make_kiosk: Any, kiosk_config: Any) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    kiosk = make_kiosk(kiosk_config.with_overrides(netid={"url": dead, "timeout_s": 2}))
    to_identify(kiosk, "flexible_employment_insurance")
    refused_for(kiosk, "netid", "unreachable")
