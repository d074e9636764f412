"""Fixtures for driving the real QML offscreen, on the real core and simulated devices.

Qt reads its platform, scene-graph backend and input method when the application object is
created, so the environment is set here, before anything imports PySide6.

The private speech-dispatcher the voice tests speak through is started by ``speech_server.py``.
"""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["QT_QUICK_BACKEND"] = "software"
os.environ["QT_IM_MODULE"] = "qtvirtualkeyboard"
# The virtual keyboard keeps its user dictionary under Qt's config location: the tests' own.
os.environ["XDG_CONFIG_HOME"] = _QT_CONFIG = __import__("tempfile").mkdtemp(prefix="kiosk-ui-tests-config-")
__import__("atexit").register(__import__("shutil").rmtree, _QT_CONFIG, True)

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QEventLoop,
    QPoint,
    QPointF,
    Qt,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtGui import QGuiApplication
from PySide6.QtQuick import QQuickItem
from PySide6.QtTest import QTest

from tests.ui.speech_server import SpeechDispatcher, start_speech_dispatcher, stop_speech_dispatcher

SCREENSHOT_DIR = Path(__file__).resolve().parents[1] / "_screenshots"


def release_meta(meta: Any) -> None:
    """Drop PySide's wrapper of a QML object's own QMetaObject once it has been read.

    An object declared in QML has a meta-object of its own, freed with the object; PySide keeps
    the Python wrapper of it in its address map, and a QQuickItem later made at that address came
    back as that stale 'QMetaObject'. Static (C++) meta-objects are shared and left alone.
    """
    import shiboken6

    if shiboken6.isValid(meta) and "_QML" in meta.className():
        shiboken6.invalidate(meta)


def class_name(obj: Any) -> str:
    """``obj``'s meta-object class name, leaving no wrapper of a QML meta-object behind."""
    meta = obj.metaObject()
    name = meta.className()
    release_meta(meta)
    return name


def has_property(obj: Any, name: str) -> bool:
    """Whether ``obj`` has a property ``name``, leaving no wrapper of a QML meta-object behind."""
    meta = obj.metaObject()
    found = meta.indexOfProperty(name) >= 0
    release_meta(meta)
    return found


def _live(fetch: Callable[[], list[Any]], kind: type) -> list[Any]:
    """``fetch()``, with any stale wrapper PySide hands back in place of a live object replaced.

    PySide finds a wrapper by the C++ address; one left from an object already freed (a QML
    meta-object read before release_meta() existed, a QObject deleted behind Python's back)
    comes back for a new object at that address, as the wrong type. Dropping it from PySide's
    map and asking again gives the real object.
    """
    import shiboken6

    for _ in range(8):
        found = fetch()
        stale = [obj for obj in found if not isinstance(obj, kind)]
        if not stale:
            return found
        for obj in stale:
            shiboken6.invalidate(obj)
    raise AssertionError(f"PySide keeps handing back stale wrappers: {stale!r}")


def child_items(item: QQuickItem) -> list[QQuickItem]:
    """``item.childItems()``, every one a live QQuickItem (see _live)."""
    return _live(item.childItems, QQuickItem)


def child_objects(obj: Any) -> list[Any]:
    """``obj.findChildren(QObject)``, every one a live QObject (see _live)."""
    from PySide6.QtCore import QObject

    return _live(lambda: obj.findChildren(QObject), QObject)


def descendants(root: QQuickItem) -> Iterator[QQuickItem]:
    """``root`` and every item below it, depth first."""
    stack = [root]
    while stack:
        item = stack.pop()
        yield item
        stack.extend(child_items(item))

#: Warnings Qt itself prints in this environment, not caused by our QML:
#: - Qt Multimedia (loaded by the virtual keyboard's key-click sounds) probes for PipeWire,
#:   which a headless test machine does not have;
#: - the virtual keyboard's own PopupList.qml in Qt 6.12 triggers a "member overrides" notice;
KNOWN_QT_NOISE = (
    re.compile(r"pipewire", re.IGNORECASE),
    re.compile(r"^Member contentWidth of the object PopupList_QMLTYPE_\d+ overrides a member"),
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

    # Qt's mock speech engine: a real engine to Qt, with no audio device. The tests of the real
    # engine (speech-dispatcher) start a private one with a null audio output (speech_dispatcher).
    return load_config(None).with_overrides(
        ui={"fullscreen": False, "demo_controls": True, "language": "zh-CN", "voice_engine": "mock"},
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

    def wait_until(self, predicate: Callable[[], Any], timeout_ms: int = 20_000) -> None:
        self.qtbot.waitUntil(lambda: bool(predicate()), timeout=timeout_ms)

    @property
    def state(self) -> dict[str, Any]:
        return self.bridge.state

    def wait_for_screen(self, screen: str, timeout_ms: int = 20_000) -> None:
        self.wait_until(lambda: self.state.get("screen") == screen, timeout_ms)
        self.wait_until(lambda: self.find(f"screen_{screen}") is not None, timeout_ms)
        self.settle()

    # ---- finding items ----------------------------------------------------------------------
    def items(self) -> Iterator[QQuickItem]:
        return descendants(self.window.contentItem())

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
        while parent is not None and "Flickable" not in class_name(parent):
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
        # An item just shown (or a row just re-laid out) gets its place at the next polish; a tap
        # before that lands on whatever was there.
        self._wait_for_layout()

        # Found again by name: a list's rows are made anew when its model refreshes (device
        # statuses, say), and the item found before may be gone by now.
        def placed() -> QQuickItem | None:
            found = self.find(object_name)
            return found if found is not None and found.width() > 0 and found.height() > 0 else None
        self.wait_until(lambda: placed() is not None)
        item = placed()
        assert item is not None
        centre = item.mapToScene(QPointF(item.width() / 2, item.height() / 2))
        point = QPoint(round(centre.x()), round(centre.y()))
        assert self.window.contentItem().childAt(point.x(), point.y()) is not None
        QTest.mouseClick(self.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
        self.settle()

    def _wait_for_layout(self) -> None:
        """Let the window polish and draw one frame: layouts place what was just shown then."""
        with self.qtbot.waitSignal(self.window.frameSwapped, timeout=5_000):
            self.window.update()

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
        # The input method is the application's, not the window's: a keyboard a test left up
        # would come up over the next test's start screen.
        QGuiApplication.inputMethod().hide()
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


@pytest.fixture(scope="session")
def speech_dispatcher_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SpeechDispatcher]:
    server = start_speech_dispatcher(tmp_path_factory.mktemp("speechd"))
    yield server
    stop_speech_dispatcher(server)


@pytest.fixture
def speech_dispatcher(speech_dispatcher_server: SpeechDispatcher, monkeypatch: pytest.MonkeyPatch) -> SpeechDispatcher:
    """The private speech-dispatcher, as the one Qt's speechd engine connects to in this test."""
    monkeypatch.setenv("SPEECHD_ADDRESS", speech_dispatcher_server.address)
    return speech_dispatcher_server
