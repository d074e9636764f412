"""The Chinese translation covers every string of the screens, and compiles."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from ui.i18n import build


def messages(ts: Path) -> list[tuple[str, str, str | None, str | None]]:
    """(context, source, translation, type) of every message in a .ts file."""
    found = []
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            translation = message.find("translation")
            found.append((name, message.findtext("source"), translation.text, translation.get("type")))
    return found


def test_every_string_of_the_qml_is_in_the_ts_and_translated(tmp_path: Path) -> None:
    # Re-extract the strings from the QML into a copy: nothing new, nothing untranslated.
    copy = tmp_path / build.ts_path("zh_CN").name
    shutil.copy(build.ts_path("zh_CN"), copy)
    subprocess.run(
        [build._tool("pyside6-lupdate"), *map(str, build.qml_sources()), "-locations", "none",
         "-no-obsolete", "-silent", "-ts", str(copy)],
        check=True,
    )
    extracted = messages(copy)
    assert len(extracted) > 40
    untranslated = [(c, s) for c, s, t, kind in extracted if not t or kind in ("unfinished", "vanished", "obsolete")]
    assert untranslated == []
    assert {(c, s) for c, s, _, _ in extracted} == {(c, s) for c, s, _, _ in messages(build.ts_path("zh_CN"))}


def test_placeholders_survive_translation() -> None:
    for context, source, translation, _ in messages(build.ts_path("zh_CN")):
        for placeholder in ("%1", "%2"):
            assert (placeholder in source) == (placeholder in (translation or "")), (context, source)


def test_the_step_names_are_the_agreed_chinese_ones() -> None:
    steps = {s: t for c, s, t, _ in messages(build.ts_path("zh_CN")) if c == "StepIndicator"}
    assert [steps[s] for s in ("Choose service", "Read notice", "Verify identity", "Take photo",
                               "Fill in form", "Confirm", "Print receipt", "Done")] == [
        "选择事项", "阅读须知", "身份核验", "人像采集", "填写表单", "确认提交", "打印回执", "完成"]


def test_translations_compile(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(build, "qm_path", lambda locale: tmp_path / f"egov_kiosk_{locale}.qm")
    (qm,) = build.compile_translations()
    assert qm.stat().st_size > 1000
