"""The touchscreen application: ``kiosk`` (console script) and :func:`create_application`.

Start-up order matters for Qt: the input-method and graphics settings are read when the
QGuiApplication is created, so :func:`prepare_qt_environment` runs before it.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale, QObject, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtQml import QQmlApplicationEngine
from PySide6.QtQuick import QQuickWindow, QSGRendererInterface

from kiosk.restart_window import RESTART_EXIT_CODE
from ui.bridge import CameraImageProvider, KioskBridge, PhotoImageProvider
from ui.i18n.build import ensure_compiled
from ui.lockdown import Lockdown
from ui.malloc_tuning import fix_mmap_threshold
from ui.speech import SpeechOutput

QML_DIR = Path(__file__).resolve().parent / "qml"
CJK_FONT_FAMILY = "Noto Sans CJK SC"
SPEECH_START_DELAY_MS = 1500

log = logging.getLogger(__name__)


def prepare_qt_environment() -> None:
    """Set the process environment Qt reads at QGuiApplication creation (idempotent)."""
    # The embedded virtual keyboard is an input-method plugin: without this it never appears.
    os.environ.setdefault("QT_IM_MODULE", "qtvirtualkeyboard")
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        os.environ.setdefault("QT_QUICK_BACKEND", "software")


class QmlLoadError(RuntimeError):
    """The QML could not be loaded (the messages say why)."""


class LanguageSwitcher(QObject):
    """Installs the translator for the language shown and retranslates the QML engine.

    English is the source language of the QML, so it needs no translator. GUI thread only.
    """

    def __init__(self, app: QGuiApplication, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self._engine: QQmlApplicationEngine | None = None
        self._translator = QTranslator(self)
        self._installed = False
        self.language = "en"

    def attach(self, engine: QQmlApplicationEngine) -> None:
        self._engine = engine

    def apply(self, language: str) -> None:
        if language == "zh-CN":
            if not self._installed:
                try:
                    path = ensure_compiled("zh_CN")
                except (OSError, subprocess.CalledProcessError) as exc:
                    log.error("translations could not be compiled: %s", exc)
                    path = Path("egov_kiosk_zh_CN.qm")
                if not self._translator.load(str(path)):
                    log.error("translation %s could not be loaded; showing English", path.name)
                else:
                    self._app.installTranslator(self._translator)
                    self._installed = True
            QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
        else:
            if self._installed:
                self._app.removeTranslator(self._translator)
                self._installed = False
            QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        self.language = language
        if self._engine is not None:
            self._engine.retranslate()


def resolve_voice_engine(name: str) -> str:
    """``ui.voice_engine`` as the speech thread gets it: a name Qt has no plug-in for becomes "none".

    Qt would otherwise print a critical message and stay silent anyway; this says why, once,
    with the engines that are installed. "" (Qt's default) and "none" pass unchanged.
    """
    if name in ("", "none"):
        return name
    # Imported here: the default configuration never needs the list.
    from PySide6.QtTextToSpeech import QTextToSpeech

    installed = QTextToSpeech.availableEngines()
    if name not in installed:
        log.error("ui.voice_engine %r is not an installed Qt text-to-speech engine (installed: %s); "
                  "prompts will not be spoken", name, ", ".join(installed) or "none")
        return "none"
    return name


def _application(argv: Sequence[str] | None) -> QGuiApplication:
    prepare_qt_environment()
    fix_mmap_threshold()  # or the heap grows with every journey (ui/malloc_tuning.py)
    existing = QGuiApplication.instance()
    if isinstance(existing, QGuiApplication):
        app = existing
    else:
        if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
            # No GPU offscreen (tests, benchmarks, headless CI): the software scene graph always
            # works. Qt takes this only before its first window, so only with a new application.
            QQuickWindow.setGraphicsApi(QSGRendererInterface.GraphicsApi.Software)
        app = QGuiApplication(list(argv) if argv else [sys.argv[0] if sys.argv else "kiosk"])
        app.setApplicationName("egov-kiosk")
        app.setOrganizationName("egov-kiosk")
    if CJK_FONT_FAMILY in QFontDatabase.families():
        font = QFont(CJK_FONT_FAMILY)
    else:
        log.warning("font %r not installed; Chinese text may not render", CJK_FONT_FAMILY)
        font = QFont()
    font.setPixelSize(32)
    app.setFont(font)
    return app


def create_application(
    config: Any, core: Any, argv: Sequence[str] | None = None
) -> tuple[QGuiApplication, QQmlApplicationEngine, QQuickWindow, KioskBridge]:
    """Build the application and its window over ``core`` without entering the event loop.

    ``core`` may be started before or after this call. The caller owns the result: keep the
    engine alive as long as the window, and call ``bridge.close()`` before ``core.stop()``.
    Raises :class:`QmlLoadError` when the QML does not load.
    """
    app = _application(argv)
    switcher = LanguageSwitcher(app)
    ui = config.ui
    ui_config = {
        "language": ui.language,
        "fullscreen": bool(ui.fullscreen),
        "orientation": ui.orientation,
        "demo_controls": bool(ui.demo_controls),
        "voice_engine": resolve_voice_engine(ui.voice_engine),
    }
    switcher.apply(ui.language)

    engine = QQmlApplicationEngine()
    switcher.setParent(engine)
    switcher.attach(engine)
    engine.addImportPath(str(QML_DIR))
    engine.addImageProvider("camera", CameraImageProvider(core))
    engine.addImageProvider("photo", PhotoImageProvider(core))
    from .certificates_bridge import install as install_certificates

    install_certificates(engine, core)  # 证明打印: its commands and the preview image

    bridge = KioskBridge(core, ui_config, on_language_changed=switcher.apply, parent=engine)
    from .pdf import register as register_pdf_renderer

    register_pdf_renderer(core)  # A4 forms: the core asks ui for PDFs without importing Qt
    from .keyboard_dictionary import install as install_dictionary_reset

    install_dictionary_reset(core)  # the keyboard's learned words go at every wipe
    from .materials_bridge import install_materials

    install_materials(engine, core, bridge)  # the scanning step: `materials`, image://doccam, image://page
    engine.rootContext().setContextProperty("kiosk", bridge)
    speech = SpeechOutput(ui_config["voice_engine"], stuck_after_s=ui.voice_stuck_s, parent=engine)
    engine.rootContext().setContextProperty("speech", speech)
    bridge.on_close(speech.close)
    bridge.open()
    from .maintenance_bridge import install_maintenance

    install_maintenance(engine, core, app)  # staff mode: gesture + PIN on the attract screen

    errors: list[str] = []
    engine.warnings.connect(lambda warnings: errors.extend(w.toString() for w in warnings))
    engine.load(str(QML_DIR / "Main.qml"))
    roots = engine.rootObjects()
    if not roots:
        bridge.close()
        raise QmlLoadError("the QML did not load:\n  " + "\n  ".join(errors or ["(no message)"]))
    window = roots[0]
    if not isinstance(window, QQuickWindow):
        bridge.close()
        raise QmlLoadError(f"the QML root is a {type(window).__name__}, not a window")
    # The engine process starts a little after the first frame: starting it takes a core for
    # about a second, which the attract screen's first frames should not share.
    notify_first_frame(window, lambda: QTimer.singleShot(SPEECH_START_DELAY_MS, speech.start))
    if ui.fullscreen:
        # Escape keys, closing, the cursor, context menus (ui/lockdown.py); found again with
        # engine.findChild(Lockdown), released on a deliberate exit.
        Lockdown(app, fullscreen=True, parent=engine).install(window)
    return app, engine, window, bridge


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="kiosk", description="The egov-kiosk touchscreen application.")
    parser.add_argument("--config", metavar="PATH",
                        help="terminal configuration (TOML); default: all simulated devices")
    parser.add_argument("--demo", action="store_true",
                        help="simulated devices, demo controls and a local central server")
    parser.add_argument("--windowed", action="store_true", help="a normal window instead of full screen")
    parser.add_argument("--speech-engine", metavar="ENGINE", help=argparse.SUPPRESS)   # ui/speech_engine.py
    parser.add_argument("--self-test", action="store_true",
                        help="start headless on simulated devices, walk to the first screens, check the "
                             "bundle; exit 0 if all is well")
    return parser.parse_args(argv)


def _demo_config(config_path: str | None) -> tuple[Any, Callable[[], None]]:
    """``--demo``: a local central server, an enrolled terminal; returns its config and a stopper."""
    from kiosk.config import load_config

    try:
        from kiosk.demo import start_demo
    except ModuleNotFoundError as exc:  # kiosk.spec leaves the demo out of the frozen build
        if exc.name not in ("kiosk.demo", "sync.local_central"):
            raise
        print("--demo runs from the source tree (make demo); this build leaves the demo out", file=sys.stderr)
        raise SystemExit(2) from None

    base = load_config(config_path) if config_path else None
    demo = start_demo(base, config_path=config_path)  # blocks about a second, before any window is shown
    return demo.config, demo.stop


def notify_first_frame(window: QQuickWindow, callback: Callable[[], None]) -> None:
    """Call ``callback`` once, after the window has put its first frame on screen."""
    def swapped() -> None:
        window.frameSwapped.disconnect(swapped)
        callback()

    window.frameSwapped.connect(swapped)


def _quit_on_signals(app: QGuiApplication, quit_app: Callable[[], None] | None = None) -> None:
    """SIGTERM (systemd, ``timeout``) and Ctrl-C quit through the event loop, so shutdown runs.

    Python runs signal handlers only between bytecodes; while Qt's loop waits in C++ it would
    never get the chance, so a timer wakes the interpreter a few times a second.
    """
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: (quit_app or app.quit)())
    waker = QTimer(app)
    waker.timeout.connect(lambda: None)
    waker.start(250)


def main(argv: Sequence[str] | None = None) -> int:
    """Console script ``kiosk``: run the touchscreen application until it is quit."""
    from kiosk.config import ConfigError, load_config
    from kiosk.core import KioskCore

    args = _parse_args(argv)
    if args.speech_engine is not None:   # the voice's own process (ui/speech.py starts it)
        from .speech_engine import run

        return run(args.speech_engine)
    from kiosk import safe_log

    # The journal is exported to USB by staff: exceptions reach it as type and stack only.
    safe_log.install(logging.WARNING if args.self_test else logging.INFO)
    if args.self_test:
        from .selftest import run_self_test

        return run_self_test(sys.argv[0])
    stop_demo = None
    try:
        if args.demo:
            config, stop_demo = _demo_config(args.config)
        else:
            config = load_config(args.config)
        if args.windowed:
            config = config.with_overrides(ui={"fullscreen": False})
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2

    core = KioskCore(config)
    # Started first: the catalog loads on the journey thread while Qt builds the window.
    core.start(services_after_screen=True)
    try:
        app, engine, window, bridge = create_application(config, core, argv=[sys.argv[0]])
    except QmlLoadError as exc:
        print(exc, file=sys.stderr)
        core.stop()
        if callable(stop_demo):
            stop_demo()
        return 1

    def shut_down() -> None:
        bridge.close()
        core.stop()
        if callable(stop_demo):
            stop_demo()

    from .supervisor import Supervisor
    from .watchdog import SystemdWatchdog

    lockdown = engine.findChild(Lockdown)
    watchdog = SystemdWatchdog(parent=app)

    def exit_app(code: int) -> None:
        # A deliberate exit (SIGTERM, nightly restart, repeated crashes): the window may close.
        if lockdown is not None:
            lockdown.release()
        watchdog.stopping()
        app.exit(code)

    supervisor = Supervisor(core, exit_app, parent=app)
    supervisor.install()
    app.aboutToQuit.connect(supervisor.uninstall)
    app.aboutToQuit.connect(shut_down)

    def first_frame() -> None:
        core.screen_shown()
        watchdog.ready()

    notify_first_frame(window, first_frame)
    watchdog.start()  # pings from this thread's event loop: a hung loop stops them
    _quit_on_signals(app, lambda: exit_app(0))
    code = app.exec()
    if args.demo and code == RESTART_EXIT_CODE:
        # A staff (or nightly) restart of the demo: no systemd to start it again, so it starts
        # itself afresh, after the clean shutdown above (core, devices and central stopped).
        os.execv(sys.executable, [sys.executable, "-m", "ui.app", *sys.argv[1:]])
    return code


if __name__ == "__main__":
    sys.exit(main())
