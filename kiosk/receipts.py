"""Receipt numbers assigned offline, and the printed receipt (受理回执).

A receipt number is ``<site>-<terminal>-<yyyymmdd>-<sequence>``: unique across the fleet without
asking the central platform (site and terminal are unique, the sequence is per terminal and day and
allocated atomically in the local store), so a township terminal that is offline for weeks still
hands out numbers that the platform will echo back unchanged.
"""

from __future__ import annotations

import datetime as dt
import re

from drivers.printer import Receipt

RECEIPT_NUMBER = re.compile(r"(?P<site>\d{6})-(?P<terminal>[A-Za-z0-9]{1,8})-(?P<day>\d{8})-(?P<seq>\d{4,})")


def sequence_scope(site_code: str, terminal_id: str, day: dt.date) -> str:
    """The scope a sequence number is allocated in: one counter per terminal and day."""
    return f"{site_code}-{terminal_id}-{day:%Y%m%d}"


def format_receipt_number(site_code: str, terminal_id: str, day: dt.date, sequence: int) -> str:
    """``110105-T01-20261126-0001``; the sequence widens past 9999 rather than wrapping."""
    if sequence < 1:
        raise ValueError("sequence numbers start at 1")
    return f"{sequence_scope(site_code, terminal_id, day)}-{sequence:04d}"


def mask_name(name: str) -> str:
    """A name as printed on a receipt others may see: first character kept (张** / J*** S***)."""
    parts = name.split()
    if len(parts) > 1:
        return " ".join(part[0] + "*" * (len(part) - 1) for part in parts)
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


def build_receipt(
    *,
    service_title: str,
    receipt_number: str,
    accepted_at: dt.datetime,
    hall_name: str,
    terminal_id: str,
    applicant_name: str,
    processing_time: str,
    collect: str,
    lookup_url: str,
    hotline: str,
) -> Receipt:
    """The receipt a citizen takes home, in Chinese; the applicant's name appears masked only."""
    return Receipt(
        title="受理回执",
        receipt_number=receipt_number,
        lines=[
            ("办理事项", service_title),
            ("申请人", mask_name(applicant_name)),
            ("受理时间", accepted_at.strftime("%Y-%m-%d %H:%M")),
            ("受理地点", f"{hall_name} {terminal_id}号自助终端"),
            ("办理时限", processing_time),
        ],
        notes=[
            "您的申请已受理，材料将转交审批部门办理。",
            collect,
            "扫描下方二维码或凭回执编号查询办理进度。",
        ],
        qr_data=lookup_url.format(receipt_number=receipt_number),
        footer=f"政务服务热线 {hotline}",
    )
