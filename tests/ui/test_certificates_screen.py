"""证明打印 through the real QML: the start screen's button, the sample resident ID, the face
photo, the list the real platform (a ``kiosk-central`` subprocess) gives for that person, the
first page on screen, and "Print" to the simulated document printer, whose PDF still carries a
signature ``pdfsig`` validates; offline, the screen says it needs the network."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from central.at_rest import AtRestKeys
from central.certificates import CertificateOffice
from central.seal import CHAIN_FILE, seal_dir
from central.store import open_platform_store
from drivers.idcard.simulated.samples import sample_identity
from kiosk.config import KioskConfig
from kiosk.core.certificate_texts import phase_text
from kiosk.demo import Demo, start_demo
from tests.central.test_certificates import FACTS
from tests.ui.test_accessibility_audit import VARIANTS, Audit

pytestmark = pytest.mark.e2e

UI = {"fullscreen": False, "demo_controls": True, "language": "zh-CN", "voice_engine": "mock"}


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[tuple[Demo, Any]]:
    """The demo's platform with a certificate issued to the sample resident ID's holder."""
    demo = start_demo(KioskConfig(), data_dir=tmp_path / "demo", central_port=0)
    try:
        store = open_platform_store(demo.central.data_dir)
        office = CertificateOffice(store.db, seal_dir(demo.central.data_dir),
                                   AtRestKeys.load_or_create(demo.central.data_dir / "keys"), demo.central.url)
        issued = office.issue_certificate(replace(
            FACTS, id_number=sample_identity("resident_id").document_number,
            completed_at=datetime(2026, 12, 3, 15, 0, tzinfo=UTC)))
        store.close()
        yield demo, issued
    finally:
        demo.stop()


def to_certificates(kiosk: Any) -> None:
    """Attract → Print a certificate → the sample resident ID → photo → the certificates screen."""
    assert kiosk.get("errand_certificate").property("text") == "证明打印"
    kiosk.screenshot(f"certificates_{kiosk.config.ui.orientation}_00_attract")
    identify_for_certificates(kiosk)


def identify_for_certificates(kiosk: Any) -> None:
    """From the attract screen's "Print a certificate": the sample ID card, then the photo."""
    kiosk.tap("errand_certificate")
    kiosk.wait_for_screen("identify")
    kiosk.tap("demoDocument_resident_id")
    kiosk.wait_for_screen("face", 60_000)
    kiosk.wait_until(lambda: kiosk.bridge.frameRevision > 2, 60_000)
    kiosk.tap("captureButton")
    kiosk.wait_until(lambda: kiosk.state["has_photo"], 60_000)
    kiosk.tap("usePhotoButton")
    kiosk.wait_for_screen("certificates", 60_000)


def phase(kiosk: Any) -> str:
    return str((kiosk.state.get("certificates") or {}).get("phase"))


def pdfsig_report(pdf: Path, chain: Path, nss: Path) -> str:
    if shutil.which("pdfsig") is None or shutil.which("certutil") is None:
        pytest.fail("pdfsig and certutil are needed: tools/setup-system.sh dev")
    nss.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "demo CA", "-t", "CT,C,C", "-i", str(chain)],
                   check=True)
    return subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(pdf)], capture_output=True, text=True).stdout


@pytest.mark.timeout(600)  # a platform subprocess and the face match, on a loaded machine too
@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_list_preview_and_print_a_certificate(make_kiosk, platform, tmp_path, orientation) -> None:
    demo, issued = platform
    kiosk = make_kiosk(demo.config.with_overrides(ui={**UI, "orientation": orientation}), enroll=False)
    to_certificates(kiosk)

    kiosk.wait_until(lambda: phase(kiosk) == "list", 90_000)
    tile = kiosk.get(f"certificate_{issued.document_id}")
    # Laid out at the next frame after it appears: then a touch target at least.
    kiosk.wait_until(lambda: tile.isVisible() and tile.height() >= 96)
    [item] = kiosk.state["certificates"]["items"]
    assert item["title"] == "灵活就业人员参保证明" and item["issuer"] and item["issued"]
    kiosk.screenshot(f"certificates_{orientation}_01_list")

    kiosk.tap(f"certificate_{issued.document_id}")
    kiosk.wait_until(lambda: phase(kiosk) == "preview", 90_000)
    page = kiosk.get("certificatePageImage")
    kiosk.wait_until(lambda: page.property("implicitHeight") > 100, 90_000)
    # The page is taller than wide (A4), as rendered from the PDF the core holds.
    assert page.property("implicitHeight") > page.property("implicitWidth") > 50
    kiosk.screenshot(f"certificates_{orientation}_02_preview")

    kiosk.tap("printCertificateButton")
    kiosk.wait_until(lambda: phase(kiosk) == "printed", 90_000)
    printed = sorted((demo.config.storage.resolved_data_dir() / "printed" / "documents").glob("certificate-*.pdf"))
    assert len(printed) == 1
    assert printed[0].read_bytes() == issued.pdf
    report = pdfsig_report(printed[0], seal_dir(demo.central.data_dir) / CHAIN_FILE, tmp_path / "nss")
    assert "Signature is Valid" in report and "Certificate is Trusted" in report, report
    kiosk.screenshot(f"certificates_{orientation}_03_printed")

    # Finish: the session is wiped, and the printer's copy with it.
    kiosk.tap("certificatesFinishButton")
    kiosk.wait_for_screen("attract")
    kiosk.wait_until(lambda: not printed[0].exists())
    assert kiosk.core.certificates.preview_pdf() is None


def test_offline_the_screen_says_it_needs_the_network(make_kiosk, kiosk_config) -> None:
    kiosk = make_kiosk(kiosk_config.with_overrides(ui={"language": "en"}))
    kiosk.tap("elderModeSwitch")  # 长辈版: everything larger, for this session
    kiosk.wait_until(lambda: kiosk.state.get("elder_mode"))
    to_certificates_en(kiosk)
    kiosk.wait_until(lambda: phase(kiosk) == "offline", 90_000)
    banner = kiosk.get("messageBanner")
    assert "needs the network" in banner.property("text")
    # The voice says the screen's title and what it shows.
    spoken = kiosk.get("screen_certificates").property("spokenPrompt")
    assert spoken.startswith("Print a certificate") and "needs the network" in spoken
    assert kiosk.get("certificateRetryButton").height() >= 120  # elder mode's touch target
    assert kiosk.get("certificateRetryButton").isVisible()
    assert kiosk.find("printCertificateButton") is None
    kiosk.screenshot("certificates_04_offline_en_elder")
    kiosk.tap("certificateRetryButton")
    kiosk.wait_until(lambda: phase(kiosk) == "offline", 90_000)
    kiosk.tap("certificatesFinishButton")
    kiosk.wait_for_screen("attract")


def to_certificates_en(kiosk: Any) -> None:
    kiosk.wait_until(lambda: kiosk.get("errand_certificate").property("text") == "Print a certificate")
    identify_for_certificates(kiosk)


class CertificateAudit(Audit):
    """The accessibility audit (tests/ui/test_accessibility_audit.py) of the certificates screen:
    an issuer's name is the document's own data, shown as it is printed in any language."""

    def data_texts(self) -> list[str]:
        certificates = self.kiosk.state.get("certificates") or {}
        issuers = [str(item.get("issuer") or "") for item in certificates.get("items") or []]
        chosen = certificates.get("selected") or {}
        return [*super().data_texts(), *issuers, str(chosen.get("issuer") or "")]

    def phase(self, name: str, phase: str | None = None) -> None:
        """Check the screen in every variant, as it is or (``phase``) as the core would show it."""
        for language, elder in VARIANTS:
            self.switch(language, elder, None)
            overlay = None
            if phase is not None:
                shown = dict(self.kiosk.state["certificates"], phase=phase, text=phase_text(phase, language))
                overlay = {"certificates": shown}
            self.switch(language, elder, overlay)
            self.check(name, language, elder)
        self.kiosk.bridge._apply_snapshot(self.kiosk.core.snapshot())  # the real one again
        self.kiosk.settle(0.1)
        self.audited.append(name)


@pytest.mark.timeout(600)
@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_the_certificates_screen_passes_the_accessibility_audit(make_kiosk, platform, orientation) -> None:
    demo, issued = platform
    kiosk = make_kiosk(demo.config.with_overrides(ui={**UI, "orientation": orientation}), enroll=False)
    audit = CertificateAudit(kiosk, orientation)
    to_certificates(kiosk)
    kiosk.wait_until(lambda: phase(kiosk) == "list", 90_000)
    audit.phase("certificates_list")
    for shown in ("none", "offline", "failed", "not_verified"):
        audit.phase(f"certificates_{shown}", shown)
    kiosk.tap(f"certificate_{issued.document_id}")
    kiosk.wait_until(lambda: phase(kiosk) == "preview", 90_000)
    audit.phase("certificates_preview")
    kiosk.tap("printCertificateButton")
    kiosk.wait_until(lambda: phase(kiosk) == "printed", 90_000)
    audit.phase("certificates_printed")
    audit.phase("certificates_print_failed", "print_failed")
    assert not audit.findings, "\n".join(audit.findings)
