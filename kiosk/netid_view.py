"""What the identify screen says about 网证 (national network identity) codes, in every language.

The 网证 step (:mod:`kiosk.core.netid`) keeps a status and a reason code; :func:`netid_view`
turns them into the ``netid`` part of the screen model. No personal data: the codes and the
identity never reach the view.
"""

from __future__ import annotations

from typing import Any

#: Reason code → what the citizen is told. Refusals of the 网证 service (``sync.netid``'s
#: ``RefusalReason``) plus the terminal's own: a service that needs a stronger proof, a scanned
#: code that is no 网证 code, an answer of the service the terminal cannot use.
NETID_MESSAGES: dict[str, dict[str, str]] = {
    "verifying": {
        "zh-CN": "正在核验网证，请稍候……",
        "en": "Checking your online ID code…",
    },
    "expired": {
        "zh-CN": "该网证二维码已过期。请在“国家网络身份认证”应用中刷新后重新出示。",
        "en": "This online ID code has expired. Refresh it in the National Online Identity Authentication app "
              "and show it again.",
    },
    "already_used": {
        "zh-CN": "该网证二维码已经使用过。请在应用中刷新，出示新的二维码。",
        "en": "This online ID code has already been used. Refresh it in the app and show the new code.",
    },
    "bad_signature": {
        "zh-CN": "该二维码未通过网证核验。请出示“国家网络身份认证”应用中的二维码，或改用身份证件。",
        "en": "This code did not pass the online ID check. Please show the QR code from the National Online "
              "Identity Authentication app, or use your ID card.",
    },
    "unreachable": {
        "zh-CN": "网证核验服务暂时无法使用。请改用身份证件，或呼叫工作人员。",
        "en": "The online ID service cannot be reached right now. Please use your ID card instead, or call a "
              "member of staff.",
    },
    "level_too_low": {
        "zh-CN": "本事项需要经人脸核验的身份：请放置身份证件，或出示含人脸核验的网证。",
        "en": "This service needs your identity checked with your face: please place your ID card on the "
              "reader, or show an online ID code verified with your face.",
    },
    "not_netid": {
        "zh-CN": "这不是网证二维码。请出示“国家网络身份认证”应用中的二维码。",
        "en": "This is not an online ID code. Please show the QR code from the National Online Identity "
              "Authentication app.",
    },
}
#: Reasons that share another's words.
_SAME_AS = {"malformed": "bad_signature", "unknown": "bad_signature", "invalid_answer": "unreachable"}

#: Demo buttons (simulated scanner, simulator service): key → label.
DEMO_CODES: dict[str, dict[str, str]] = {
    "netid": {"zh-CN": "网证", "en": "Online ID code"},
    "netid_face": {"zh-CN": "网证（含人脸核验）", "en": "Online ID code with face check"},
    "expired": {"zh-CN": "过期的网证", "en": "Expired code"},
    "used": {"zh-CN": "已使用过的网证", "en": "Used code"},
    "forged": {"zh-CN": "伪造的网证", "en": "Forged code"},
}


def netid_message(reason: str, language: str) -> str:
    """The words for ``reason`` in ``language`` (the "not a valid code" words for one unknown)."""
    texts = NETID_MESSAGES.get(_SAME_AS.get(reason, reason)) or NETID_MESSAGES["bad_signature"]
    return texts.get(language) or texts["zh-CN"]


def netid_view(*, offered: bool, status: str, reason: str, demo: bool, language: str) -> dict[str, Any]:
    """The ``netid`` part of the screen model: ``offered`` (the identify screen shows the 网证
    choice), ``status`` ("idle", "verifying", "refused"), ``reason``, ``message`` (in
    ``language``) and ``demo`` (the demo buttons, ``[{"key", "label"}]``, empty outside demos)."""
    if status == "verifying":
        message = netid_message("verifying", language)
    elif status == "refused":
        message = netid_message(reason, language)
    else:
        message = ""
    return {
        "offered": offered,
        "status": status,
        "reason": reason if status == "refused" else "",
        "message": message,
        "demo": [{"key": key, "label": labels.get(language) or labels["zh-CN"]}
                 for key, labels in DEMO_CODES.items()] if offered and demo else [],
    }
