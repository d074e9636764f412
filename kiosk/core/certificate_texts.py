"""What the certificates screen says in each phase, in every supported language (also spoken).

Screen chrome (buttons, titles) is translated in the UI with Qt's tools; these texts belong to
the phases :mod:`kiosk.core.certificates` decides.
"""

from __future__ import annotations

PHASE_TEXTS: dict[str, dict[str, str]] = {
    "checking": {"zh-CN": "正在核验您的身份，请稍候。",
                 "en": "Checking your identity, please wait."},
    "loading": {"zh-CN": "正在查询您可打印的证明，请稍候。",
                "en": "Looking up the certificates you can print, please wait."},
    "list": {"zh-CN": "请选择要打印的证明。",
             "en": "Please choose the certificate to print."},
    "none": {"zh-CN": "暂无可打印的证明。事项办结后出具的证明会显示在这里。",
             "en": "There is no certificate to print yet. Certificates issued when a case is "
                   "completed appear here."},
    "offline": {"zh-CN": "证明打印需要连接政务服务平台，当前网络不可用。请稍后重试，或咨询工作人员。",
                "en": "Printing a certificate needs the network, which is not available now. "
                      "Please try again later or ask a member of staff."},
    "failed": {"zh-CN": "暂时无法取得证明，请咨询工作人员。",
               "en": "The certificate cannot be obtained now. Please ask a member of staff."},
    "not_verified": {"zh-CN": "人脸与证件照片未能比对一致，无法在本机打印证明。工作人员可以为您办理。",
                     "en": "Your face could not be matched with the document photo, so certificates "
                           "cannot be printed here. A member of staff can help you."},
    "fetching": {"zh-CN": "正在取得证明，请稍候。",
                 "en": "Getting the certificate, please wait."},
    "preview": {"zh-CN": "请核对证明内容，确认后点击“打印”。",
                "en": "Please check the certificate, then press Print."},
    "printing": {"zh-CN": "正在打印，请稍候。",
                 "en": "Printing, please wait."},
    "printed": {"zh-CN": "证明已打印，请从下方出纸口取走。",
                "en": "The certificate is printed. Please take it from the tray below."},
    "print_failed": {"zh-CN": "打印失败，请重试或咨询工作人员。",
                     "en": "Printing failed. Please try again or ask a member of staff."},
}


def phase_text(phase: str, language: str) -> str:
    """The text of ``phase`` in ``language`` (Chinese when the language is not supported)."""
    texts = PHASE_TEXTS[phase]
    return texts.get(language, texts["zh-CN"])
