"""``kiosk --self-test``: start the whole terminal headless, walk to the first screens, report.

Meant first for the frozen bundle (``dist/kiosk/kiosk --self-test`` after ``make bundle``): the
core on simulated devices in a throw-away data folder, the real QML window offscreen, the
attract screen with the catalog, one service's notice screen and back, the on-screen keyboard
(with its key clicks' QtMultimedia), the Chinese translation, the CJK font, the face models,
the Qt plug-ins and the lockdown. Exit status 0 when every check passes, 1 otherwise; one line
per check on stdout. It never touches the terminal's real data.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: How long the whole walk may take before the self-test gives up (a cold bundle on a slow disk).
DEADLINE_S = 90.0
#: Qt platform plug-ins a terminal may run on: offscreen (tests), xcb (X11 session), eglfs (no WM).
PLATFORM_PLUGINS = ("offscreen", "xcb", "eglfs")
EXPECTED_TITLE_ZH = "政务服务自助终端"


def process_age_s() -> float | None:
    """Seconds since this process was started by the kernel (Linux /proc), or None.

    Counts what a frozen bundle's start costs before any Python runs (the bootloader, loading
    libpython and the archive) as well as the imports.
    """
    try:
        stat = Path("/proc/self/stat").read_text()
        start_ticks = int(stat.rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return uptime - start_ticks / os.sysconf("SC_CLK_TCK")


def _wait(app: Any, predicate: Callable[[], Any], deadline: float) -> bool:
    """Run the event loop until ``predicate()`` holds or the deadline passes (self-test only)."""
    while not predicate():
        if time.monotonic() > deadline:
            return False
        app.processEvents()
        time.sleep(0.01)
    return True


def _find(window: Any, object_name: str, visible_only: bool = True) -> Any:
    stack = [window.contentItem()]
    while stack:
        item = stack.pop()
        if item.objectName() == object_name and (item.isVisible() or not visible_only):
            return item
        stack.extend(item.childItems())
    return None


def _plugins() -> str:
    from PySide6.QtCore import QLibraryInfo

    root = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
    names = {p.name for p in (root / "platforms").glob("libq*.so")}
    missing = [name for name in PLATFORM_PLUGINS if f"libq{name}.so" not in names]
    if missing:
        raise RuntimeError(f"platform plug-ins missing: {', '.join(missing)}")
    if not list((root / "platforminputcontexts").glob("*virtualkeyboard*")):
        raise RuntimeError("the virtual keyboard input context is missing")
    from PySide6.QtTextToSpeech import QTextToSpeech

    engines = QTextToSpeech.availableEngines()
    if not engines:
        raise RuntimeError("no text-to-speech engine plug-in")
    return f"platforms {', '.join(PLATFORM_PLUGINS)}; tts {', '.join(engines)}"


def run_self_test(argv0: str) -> int:
    """The whole self-test; returns the exit status. Call before any QGuiApplication exists."""
    started = time.monotonic()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from kiosk.selftest import Check, core_checks

    # The window first, so "first frame" measures the start-up a terminal has.
    with tempfile.TemporaryDirectory(prefix="kiosk-self-test-") as data_dir:
        checks: list[Check] = _walk(argv0, Path(data_dir))
    checks.extend(core_checks())
    failed = [c for c in checks if not c.ok]
    for check in checks:
        print(check.line(), flush=True)
    print(f"self-test {'FAILED' if failed else 'passed'}: {len(checks) - len(failed)}/{len(checks)} checks "
          f"in {time.monotonic() - started:.2f} s", flush=True)
    return 1 if failed else 0


def _keyboard(app: Any, engine: Any, window: Any, deadline: float) -> Any:
    """The on-screen keyboard's QML loaded (Main.qml loads it after the first frame): Qt Virtual
    Keyboard with its input-method plug-ins and styles; then its key-click player, which it makes
    only when keys are first drawn, so QtMultimedia's QML is checked here too."""
    from PySide6.QtCore import QUrl
    from PySide6.QtQml import QQmlComponent

    from kiosk.selftest import Check

    def settled() -> bool:
        loader = _find(window, "keyboardLoader", visible_only=False)
        return loader is not None and (loader.property("item") is not None or bool(loader.property("failed")))

    step = time.monotonic()
    _wait(app, settled, deadline)
    if _find(window, "keyboardPanel", visible_only=False) is None:
        return Check("keyboard", False, "the keyboard's QML did not load (see the QML warnings above)",
                     time.monotonic() - step)
    component = QQmlComponent(engine)
    component.setData(b"import QtQuick\nimport QtQuick.VirtualKeyboard\nMultiSoundEffect {}\n", QUrl())
    clicks = component.create() if component.isReady() else None
    if clicks is None:
        return Check("keyboard", False, "key clicks: " + component.errorString().strip().replace("\n", " | "),
                     time.monotonic() - step)
    clicks.deleteLater()
    return Check("keyboard", True, "virtual keyboard loaded; key clicks (QtMultimedia)", time.monotonic() - step)


def _walk(argv0: str, data_dir: Path) -> list[Any]:
    from PySide6.QtGui import QCloseEvent, QFontDatabase

    from kiosk.config import KioskConfig
    from kiosk.core import KioskCore
    from kiosk.selftest import Check, run_check

    from .app import CJK_FONT_FAMILY, QmlLoadError, create_application, notify_first_frame
    from .lockdown import Lockdown

    config = KioskConfig().with_overrides(
        ui={"fullscreen": False, "language": "zh-CN"},
        storage={"data_dir": str(data_dir), "min_free_mb": 10},
        # Nothing listens on the discard port: sync fails fast and stays quiet.
        central={"url": "http://127.0.0.1:9", "sync_interval_s": 3600},
        terminal={"restart_window": ""},
    )
    deadline = time.monotonic() + DEADLINE_S
    checks: list[Check] = []
    core = KioskCore(config)
    core.start(services_after_screen=True)
    try:
        app, engine, window, bridge = create_application(config, core, argv=[argv0])
    except QmlLoadError as exc:
        core.stop()
        return [Check("qml", False, " | ".join(line.strip() for line in str(exc).splitlines()))]
    first_frame: list[float | None] = []

    def first_frame_shown() -> None:
        first_frame.append(process_age_s())
        core.screen_shown()

    notify_first_frame(window, first_frame_shown)
    try:
        def attract_ready() -> bool:
            state = bridge.property("state")
            return bool(first_frame) and state.get("screen") == "attract" and bool(
                state.get("catalog", {}).get("services")) and _find(window, "screen_attract") is not None

        step = time.monotonic()
        ok = _wait(app, attract_ready, deadline)
        age = first_frame[0] if first_frame else None
        detail = "no frame" if not first_frame else (
            f"first frame {age:.2f} s after process start" if age is not None else "first frame shown")
        checks.append(Check("attract screen", ok, detail, time.monotonic() - step))
        services = bridge.property("state").get("catalog", {}).get("services") or [{}]
        service_id = services[0].get("id", "")
        step = time.monotonic()
        bridge.chooseService(service_id)
        ok = _wait(app, lambda: _find(window, "screen_notice") is not None, deadline)
        checks.append(Check("notice screen", ok, f"service {service_id}", time.monotonic() - step))
        step = time.monotonic()
        bridge.back()
        ok = _wait(app, lambda: _find(window, "screen_attract") is not None, deadline)
        checks.append(Check("back to start", ok, "", time.monotonic() - step))
        checks.append(_keyboard(app, engine, window, deadline))
        title = window.title()
        checks.append(Check("translation", title == EXPECTED_TITLE_ZH, f"window title {title!r}"))
        families = QFontDatabase.families()
        detail = f"{CJK_FONT_FAMILY}; app font {app.font().family()!r}"
        checks.append(Check("cjk font", CJK_FONT_FAMILY in families, detail))
        checks.append(run_check("qt plug-ins", _plugins))

        lockdown = Lockdown(app, fullscreen=False)
        lockdown.install(window)
        close = QCloseEvent()
        app.sendEvent(window, close)
        refused = not close.isAccepted() and window.isVisible()
        lockdown.release()
        checks.append(Check("lockdown", refused, "window close refused" if refused else "window closed"))
    finally:
        bridge.close()
        core.stop()
        window.close()
        engine.deleteLater()
        app.processEvents()
    return checks
