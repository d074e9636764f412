"""Fixtures for driving the real QML offscreen, on the real core and simulated devices.

Qt reads its platform, scene-graph backend and input method when the application object is
created, so the environment is set here, before anything imports PySide6.
"""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["QT_QUICK_BACKEND"] = "software"
os.environ["QT_IM_MODULE"] = "qtvirtualkeyboard"

import re  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Callable, Iterator  # noqa: E402

import pytest  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey  # noqa: E402
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat  # noqa: E402
from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QPoint, QPointF, Qt, QtMsgType, qInstallMessageHandler  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402
from PySide6.QtQuick import QQuickItem  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

SCREENSHOT_DIR = Path(__file__).resolve().parents[1] / "_screenshots"

#: Warnings Qt itself prints in this environment, not caused by our QML:
#: - Qt Multimedia (loaded by the virtual keyboard's key-click sounds) probes for PipeWire,
#:   which a headless test machine does not have;
#: - the virtual keyboard's own PopupList.qml in Qt 6.12 triggers a "member overrides" notice;
#: - with ui.voice_engine "" (Qt's default) or "speechd", Qt TextToSpeech tries its speechd
#:   plug-in, which cannot load without speech-dispatcher (not installed on test machines: issue 7
#:   brings full voice guidance). Voice.qml then stays silent by design; Qt still says why.
KNOWN_QT_NOISE = (
    re.compile(r"pipewire", re.IGNORECASE),
    re.compile(r"^Member contentWidth of the object PopupList_QMLTYPE_\d+ overrides a member"),
    re.compile(r'^Error loading text-to-speech plug-in "speechd"$'),
    # The pinyin input method says so (as a warning) the first time it runs for a user.
    re.compile(r"^PinyinDecoderService::init\(\): creating directory for user dictionary "),
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # These tests watch Qt's messages themselves (qt_messages) and fail on any warning.
    for item in items:
        if "tests/ui" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.no_qt_log)
            item.add_marker(pytest.mark.qt)


@pytest.fixture(scope="session")
def qapp_cls() -> type:
    # The kiosk is a QGuiApplication (no widgets); pytest-qt's qapp follows this.
    return QGuiApplication


@dataclass
class QtMessages:
    """Every qDebug/qWarning/qCritical printed while a test ran."""

    records: list[tuple[QtMsgType, str]] = field(default_factory=list)

    def problems(self) -> list[str]:
        bad = []
        for kind, text in self.records:
            if kind in (QtMsgType.QtDebugMsg, QtMsgType.QtInfoMsg):
                continue
            if any(pattern.search(text) for pattern in KNOWN_QT_NOISE):
                continue
            bad.append(f"{kind.name}: {text}")
        return bad


@pytest.fixture
def qt_messages() -> Iterator[QtMessages]:
    """Collects Qt's messages; the test fails if the QML printed any warning or error."""
    messages = QtMessages()

    def handler(kind: QtMsgType, context: Any, text: str) -> None:
        messages.records.append((kind, text))

    previous = qInstallMessageHandler(handler)
    yield messages
    qInstallMessageHandler(previous)
    problems = messages.problems()
    if problems:
        pytest.fail("Qt printed warnings:\n  " + "\n  ".join(problems), pytrace=False)


def enroll_offline(data_dir: Path, central_url: str, terminal_id: str) -> None:
    """Give the terminal platform keys, as `kioskctl enroll` would, without a central server.

    Submissions are then sealed and queued; with no server listening they stay queued.
    """
    from kiosk.enrollment import Enrollment, PlatformKeys

    def raw(public_key: Any) -> bytes:
        return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)

    keys = PlatformKeys(
        x25519_public=raw(X25519PrivateKey.generate().public_key()),
        ed25519_public=raw(Ed25519PrivateKey.generate().public_key()),
        central_url=central_url,
        terminal_id=terminal_id,
    )
    Enrollment(data_dir).save_platform_keys(keys)


@pytest.fixture
def kiosk_config(tmp_path: Path) -> Any:
    from kiosk.config import load_config

    return load_config(None).with_overrides(
        ui={"fullscreen": False, "demo_controls": True, "language": "zh-CN"},
        storage={"data_dir": str(tmp_path / "data"), "min_free_mb": 10},
        # Nothing listens on port 9 (discard) on loopback: sync fails fast, records stay queued.
        central={"url": "http://127.0.0.1:9", "sync_interval_s": 3600},
    )


@dataclass
class RunningKiosk:
    """The application as a citizen sees it: the window, and what is behind it."""

    app: Any
    engine: Any
    window: Any
    bridge: Any
    core: Any
    config: Any
    qtbot: Any

    # ---- waiting ----------------------------------------------------------------------------
    def settle(self, seconds: float = 0.05) -> None:
        # Through an event loop object: PySide6 6.12's static QCoreApplication.processEvents()
        # drops a reference to None on every call, and enough calls abort the interpreter.
        loop = QEventLoop()
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            loop.processEvents()
            time.sleep(0.005)
        loop.processEvents()

    def wait_until(self, predicate: Callable[[], Any], timeout_ms: int = 10_000) -> None:
        self.qtbot.waitUntil(lambda: bool(predicate()), timeout=timeout_ms)

    @property
    def state(self) -> dict[str, Any]:
        return self.bridge.state

    def wait_for_screen(self, screen: str, timeout_ms: int = 10_000) -> None:
        self.wait_until(lambda: self.state.get("screen") == screen, timeout_ms)
        self.wait_until(lambda: self.find(f"screen_{screen}") is not None, timeout_ms)
        self.settle()

    # ---- finding items ----------------------------------------------------------------------
    def items(self) -> Iterator[QQuickItem]:
        stack = [self.window.contentItem()]
        while stack:
            item = stack.pop()
            yield item
            stack.extend(item.childItems())

    def find(self, object_name: str, visible_only: bool = True) -> QQuickItem | None:
        for item in self.items():
            if item.objectName() == object_name and (item.isVisible() or not visible_only):
                return item
        return None

    def get(self, object_name: str, timeout_ms: int = 10_000) -> QQuickItem:
        self.wait_until(lambda: self.find(object_name) is not None, timeout_ms)
        item = self.find(object_name)
        assert item is not None
        return item

    # ---- acting like a person ---------------------------------------------------------------
    def scroll_into_view(self, item: QQuickItem) -> None:
        """Scroll the enclosing Flickable so ``item`` is on screen (a person would swipe)."""
        parent = item.parentItem()
        while parent is not None and "Flickable" not in parent.metaObject().className():
            parent = parent.parentItem()
        if parent is None:
            return
        content = parent.property("contentItem")
        top = item.mapToItem(content, QPointF(0, 0)).y()
        bottom = top + item.height()
        y = parent.property("contentY")
        height = parent.height()
        if top < y:
            parent.setProperty("contentY", max(0.0, top - 20))
        elif bottom > y + height:
            max_y = max(0.0, parent.property("contentHeight") - height)
            parent.setProperty("contentY", min(max_y, bottom - height + 20))
        self.settle()

    def tap(self, object_name: str) -> None:
        item = self.get(object_name)
        assert item.isEnabled(), f"{object_name} is disabled"
        self.scroll_into_view(item)
        centre = item.mapToScene(QPointF(item.width() / 2, item.height() / 2))
        point = QPoint(round(centre.x()), round(centre.y()))
        assert self.window.contentItem().childAt(point.x(), point.y()) is not None
        QTest.mouseClick(self.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
        self.settle()

    def type_into(self, object_name: str, text: str) -> None:
        """Tap a text field and type ``text`` with key presses, replacing what was there."""
        self.tap(object_name)
        field_item = self.get(object_name)
        self.wait_until(lambda: field_item.hasActiveFocus())
        field_item.setProperty("text", "")  # a person would hold backspace
        for character in text:
            QTest.keyClick(self.window, character)
        self.settle()

    def screenshot(self, name: str) -> Path:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        self.settle(0.2)
        path = SCREENSHOT_DIR / f"{name}.png"
        assert self.window.grabWindow().save(str(path)), path
        return path


@pytest.fixture
def make_kiosk(qtbot: Any, qt_messages: QtMessages) -> Iterator[Callable[..., RunningKiosk]]:
    """Start the real core (simulated devices) and the real QML over it; stopped at teardown."""
    from kiosk.core import KioskCore
    from ui.app import create_application

    started: list[RunningKiosk] = []

    def start(config: Any, enroll: bool = True) -> RunningKiosk:
        data_dir = config.storage.resolved_data_dir()
        if enroll:
            enroll_offline(data_dir, config.central.url, config.terminal.terminal_id)
        core = KioskCore(config)
        app, engine, window, bridge = create_application(config, core)
        kiosk = RunningKiosk(app, engine, window, bridge, core, config, qtbot)
        started.append(kiosk)
        core.start()
        qtbot.waitExposed(window)
        kiosk.wait_for_screen("attract")
        kiosk.wait_until(lambda: kiosk.find("service_" + kiosk.state["catalog"]["services"][0]["id"]))
        return kiosk

    yield start
    for kiosk in started:
        kiosk.bridge.close()
        kiosk.core.stop()
        kiosk.window.close()
        kiosk.engine.deleteLater()
        # processEvents() leaves deferred deletes alone: the engine (and with it the window and
        # the installed translator) must really be gone before the next test's application.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        kiosk.settle(0.05)


@pytest.fixture
def kiosk(make_kiosk: Callable[..., RunningKiosk], kiosk_config: Any) -> RunningKiosk:
    return make_kiosk(kiosk_config)
