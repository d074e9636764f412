"""What a citizen reads about their cases at the terminal: status names, next steps, the
progress screen's model and the printed progress slip (办理进度凭条), in the session's language.

Pure functions on :class:`~egov_protocol.cases.CaseStatus` values (no I/O, any thread). The
platform's own ``next_step`` is bilingual text for its web page; the terminal says the next
step of each status in the citizen's language itself and falls back to the platform's text only
for a status it does not know. The case worker's note (what to correct, why not accepted) is
shown as written. Nothing here carries the document number: a slip shows the masked name only,
as the receipt does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from drivers.printer import Receipt
from egov_protocol.cases import CaseStatus

from .receipts import mask_name

#: Where the progress screen stands: asking, the list, or why there is none.
LOADING, READY, OFFLINE, UNAVAILABLE, UNREADABLE = "loading", "ready", "offline", "unavailable", "unreadable"
#: A receipt's code opened no case (not synced yet), or too many such lookups for now.
NOT_FOUND, THROTTLED = "not_found", "throttled"
#: The newest cases shown and printed; older ones are at the counter and on the progress page.
MAX_CASES_SHOWN = 10

STATUS_NAMES: dict[str, dict[str, str]] = {
    "received": {"zh-CN": "已接收", "en": "Received"},
    "accepted": {"zh-CN": "已受理", "en": "Accepted"},
    "corrections_requested": {"zh-CN": "待补正", "en": "Corrections requested"},
    "resubmitted": {"zh-CN": "已补正，待审核", "en": "Corrections received"},
    "rejected": {"zh-CN": "不予受理", "en": "Not accepted"},
    "completed": {"zh-CN": "已办结", "en": "Completed"},
}

NEXT_STEPS: dict[str, dict[str, str]] = {
    "received": {"zh-CN": "申请已送达，正在等待窗口审核，您无需操作。",
                 "en": "Your application has arrived and is waiting to be checked. Nothing to do."},
    "accepted": {"zh-CN": "已受理，请等待办理结果。", "en": "Accepted: please wait for the result."},
    "corrections_requested": {
        "zh-CN": "请按下方说明补正材料，可在政务服务自助终端提交补正。",
        "en": "Please correct what is described below. You can submit the corrections at a self-service terminal."},
    "resubmitted": {"zh-CN": "补正材料已收到，请等待审核。",
                    "en": "Your corrections have arrived: please wait for the check."},
    "rejected": {"zh-CN": "不予受理，原因见下方说明；如有疑问请咨询窗口工作人员。",
                 "en": "Not accepted: see the reason below. Ask at the counter if anything is unclear."},
    "completed": {"zh-CN": "已办结，请按约定方式领取办理结果。",
                  "en": "Completed: collect the result as arranged."},
}

#: What the screen says in each phase (the list itself has no message unless it is empty).
PHASE_MESSAGES: dict[str, dict[str, str]] = {
    LOADING: {"zh-CN": "正在查询您的办件，请稍候……", "en": "Looking up your applications. Please wait…"},
    OFFLINE: {"zh-CN": "办理进度查询需要联网，本机暂时无法连接政务服务平台。请稍后再试，"
                       "或用手机扫描回执上的二维码查询。",
              "en": "Checking progress needs the network, and this terminal cannot reach the government "
                    "services platform now. Please try again later, or scan the QR code on your receipt "
                    "with your phone."},
    UNAVAILABLE: {"zh-CN": "本机暂时无法查询办理进度，请呼叫工作人员。",
                  "en": "This terminal cannot check progress now. Please call a member of staff."},
    UNREADABLE: {"zh-CN": "平台返回的信息无法识别，请稍后再试或呼叫工作人员。",
                 "en": "The platform's answer could not be read. Please try again later or call a member of staff."},
    NOT_FOUND: {"zh-CN": "暂未查到此回执的办件。申请在受理它的自助终端联网后才会送达平台，请稍后再试，"
                         "或出示身份证件查询。",
                "en": "No application was found for this receipt yet. An application reaches the platform once "
                      "the terminal that took it is online: please try again later, or present your ID document."},
    THROTTLED: {"zh-CN": "此回执的查询次数过多，请稍后再试，或出示身份证件查询。",
                "en": "This receipt has been looked up too often. Please try again later, or present your "
                      "ID document."},
    "empty": {"zh-CN": "没有查到您的办件。申请送达政务服务平台后会在这里显示。",
              "en": "No applications were found for you. An application shows here once it has reached "
                    "the government services platform."},
}

#: What the screen says about printing the slip.
PRINT_MESSAGES: dict[str, dict[str, str]] = {
    "printing": {"zh-CN": "正在打印进度凭条……", "en": "Printing your progress slip…"},
    "printed": {"zh-CN": "进度凭条已打印，请取走。", "en": "Your progress slip has printed. Please take it."},
    "failed": {"zh-CN": "打印机暂时无法使用，未能打印进度凭条。屏幕上的信息仍然有效，也可请工作人员协助。",
               "en": "The printer is not available, so the slip was not printed. What the screen shows "
                     "stays valid; a member of staff can help."},
}

_SLIP_WORDS = {
    "zh-CN": {"title": "办理进度", "service": "办理事项", "applicant": "申请人", "status": "当前状态",
              "received": "接收时间", "updated": "更新时间", "checked": "查询时间", "note": "说明：{note}",
              "to_correct": "需补正：{note}",
              "place": "{hall} {terminal}号自助终端", "where": "查询地点"},
    "en": {"title": "办理进度 Progress", "service": "办理事项 Service", "applicant": "申请人 Applicant",
           "status": "当前状态 Status", "received": "接收时间 Received", "updated": "更新时间 Updated",
           "checked": "查询时间 Checked", "note": "Note: {note}", "to_correct": "To correct: {note}",
           "place": "{hall}, self-service terminal {terminal}",
           "where": "查询地点 Place"},
}


def _words(table: dict[str, dict[str, str]], key: str, language: str) -> str:
    texts = table.get(key)
    return "" if texts is None else texts["en" if language == "en" else "zh-CN"]


def status_name(status: str, language: str) -> str:
    """The status as the citizen reads it (the code itself for one this terminal does not know)."""
    return _words(STATUS_NAMES, status, language) or status


def next_step(case: CaseStatus, language: str) -> str:
    """What the citizen does next, in ``language``; the platform's text for an unknown status."""
    return _words(NEXT_STEPS, case.status, language) or case.next_step


def _day(when: dt.datetime) -> str:
    return when.astimezone().strftime("%Y-%m-%d")


def case_rows(cases: Sequence[CaseStatus], language: str, service_title: Callable[[str], str | None], *,
              identified: bool = True) -> list[dict[str, Any]]:
    """The progress screen's rows, newest first. ``service_title(id)`` names a service in
    ``language`` (None when this terminal's catalog lacks it: corrections go to the counter).
    Not ``identified`` (a receipt's code, no document): a correction first needs the document
    (``needs_identity``)."""
    rows = []
    for case in list(cases)[:MAX_CASES_SHOWN]:
        title = service_title(case.service_id)
        correctable = case.correction_requested and title is not None
        rows.append({
            "receipt_number": case.receipt_number,
            "service": title or case.service_id,
            "status": case.status,
            "status_text": status_name(case.status, language),
            "received": _day(case.received_at),
            "updated": _day(case.updated_at),
            "next_step": next_step(case, language),
            "note": case.note,
            "correction_requested": case.correction_requested,
            "can_correct": correctable and identified,
            "needs_identity": correctable and not identified,
        })
    return rows


def progress_slips(cases: Sequence[CaseStatus], *, language: str, applicant_name: str | None, hall_name: str,
                   terminal_id: str, service_title: Callable[[str], str | None], checked_at: dt.datetime,
                   hotline: str) -> list[Receipt]:
    """One slip per case shown (newest first), to print on the receipt printer: service, receipt
    number, status, dates, next step and the case worker's note; the name masked, no ID number
    (no name either when ``applicant_name`` is None: a receipt's lookup, nobody identified)."""
    words = _SLIP_WORDS["en" if language == "en" else "zh-CN"]
    footer = ("政务服务热线 {hotline}" if language != "en" else "政务服务热线 Service hotline {hotline}"
              ).format(hotline=hotline)
    slips = []
    for case in list(cases)[:MAX_CASES_SHOWN]:
        notes = [next_step(case, language)]
        if case.note:
            notes.append(words["to_correct" if case.correction_requested else "note"].format(note=case.note))
        slips.append(Receipt(
            title=words["title"],
            receipt_number=case.receipt_number,
            lines=[(words["service"], service_title(case.service_id) or case.service_id),
                   *([] if applicant_name is None else [(words["applicant"], mask_name(applicant_name))]),
                   (words["status"], status_name(case.status, language)),
                   (words["received"], _day(case.received_at)),
                   (words["updated"], _day(case.updated_at)),
                   (words["checked"], checked_at.astimezone().strftime("%Y-%m-%d %H:%M")),
                   (words["where"], words["place"].format(hall=hall_name, terminal=terminal_id))],
            notes=notes,
            footer=footer,
        ))
    return slips
