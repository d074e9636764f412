"""Plain-words messages the core shows to citizens, in every supported language.

The core sets a message *code* on the session; the screen model translates it with
:func:`message_text`. Screen chrome (buttons, titles) is translated in the UI with Qt's tools;
these are the texts whose meaning is decided here, next to the code that raises them.
"""

from __future__ import annotations

LANGUAGES = ("zh-CN", "en")

MESSAGES: dict[str, dict[str, str]] = {
    "document_unreadable": {
        "zh-CN": "证件未能读取，请取下后重新放置在读卡区。",
        "en": "The document could not be read. Please take it off and place it on the reader again.",
    },
    "reader_unavailable": {
        "zh-CN": "读卡器暂时无法使用，请呼叫工作人员。",
        "en": "The card reader is not available. Please call a member of staff.",
    },
    "camera_unavailable": {
        "zh-CN": "摄像头暂时无法使用，请呼叫工作人员。",
        "en": "The camera is not available. Please call a member of staff.",
    },
    "face_not_found": {
        "zh-CN": "未检测到面部，请面向摄像头后再拍照。",
        "en": "No face was found. Please look at the camera and take the photo again.",
    },
    "form_incomplete": {
        "zh-CN": "还有必填项未填写或填写有误，请按提示修改。",
        "en": "Some required answers are missing or need correcting. Please see the notes in red.",
    },
    "materials_missing": {
        "zh-CN": "还有必须提交的材料未扫描，请先扫描后再继续。",
        "en": "A required document has not been scanned yet. Please scan it before going on.",
    },
    "page_not_taken": {
        "zh-CN": "这一页未能拍清楚，请把材料放平放稳后重试。",
        "en": "That page did not come out clearly. Please lay it flat and still, then try again.",
    },
    "consent_required": {
        "zh-CN": "请先勾选同意，再提交申请。",
        "en": "Please tick the consent box before submitting.",
    },
    "disk_full": {
        "zh-CN": "本机存储空间不足，暂时无法受理，请呼叫工作人员。",
        "en": "This terminal is out of storage and cannot accept applications now. Please call a member of staff.",
    },
    "not_enrolled": {
        "zh-CN": "本机尚未完成注册，暂时无法受理，请呼叫工作人员。",
        "en": "This terminal is not enrolled yet and cannot accept applications. Please call a member of staff.",
    },
    "submission_failed": {
        "zh-CN": "申请未能保存，请重试或呼叫工作人员。您的申请尚未提交。",
        "en": "Your application could not be stored. Please try again or call a member of staff. "
              "Nothing was submitted.",
    },
    "printer_unavailable": {
        "zh-CN": "回执打印机暂时无法打印。您的申请已受理，请记下受理编号，或呼叫工作人员补打回执。",
        "en": "The receipt printer cannot print right now. Your application is accepted: please note the "
              "receipt number, or ask staff to reprint it.",
    },
    "staff_called": {
        "zh-CN": "已通知工作人员，请稍候。",
        "en": "A member of staff has been called and will be with you shortly.",
    },
}


def message_text(code: str | None, language: str) -> str:
    """The message for ``code`` in ``language`` (empty for ``None``; the code itself if unknown)."""
    if not code:
        return ""
    texts = MESSAGES.get(code)
    if texts is None:
        return code
    return texts.get(language) or texts["zh-CN"]
