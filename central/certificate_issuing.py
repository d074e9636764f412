"""Completing a case with a certificate (办结 with result ``certificate``) issues it.

:class:`CompletionIssuer` is the hook (``central.cases_hooks``) that turns the completed case's
decrypted payload into :class:`~central.certificate_facts.CaseFacts` and has the platform's
:class:`~central.certificates.CertificateOffice` issue the certificate its service yields. The
app registers one while it runs, only when the platform has a seal (``create_app``): a platform
without one keeps refusing a certificate completion with a clear reason.

Thread rule: runs on a request thread of the platform (signing is CPU-bound; never the event
loop). The payload is personal data: nothing of it is logged or returned, only the document id.
"""

from __future__ import annotations

from datetime import UTC, datetime

from .cases_hooks import CompletedCase, NoCertificateIssuer
from .certificate_facts import CaseFacts
from .certificates import CERTIFICATE_OF_SERVICE, CertificateOffice


def facts_of(case: CompletedCase, completed_at: datetime) -> CaseFacts:
    """The facts a certificate prints, from the case's latest submission."""
    payload = case.payload
    applicant = payload.get("applicant") or {}
    answers = payload.get("answers") or {}
    submitted = payload.get("submitted_at")
    received_at = datetime.fromisoformat(submitted) if isinstance(submitted, str) else completed_at
    service_id = case.service_id or str(payload.get("service_id") or "")
    return CaseFacts(
        service_id=service_id, receipt_number=case.receipt_number,
        applicant_name=str(applicant.get("name") or ""),
        id_number=str(applicant.get("document_number") or ""),
        id_document=str(applicant.get("document_type") or "resident_id"),
        received_at=received_at, completed_at=completed_at,
        result={name: answers[name] for name in ("employment_type", "insurance_types",
                                                  "contribution_level", "start_date")
                if name in answers},
        submission_id=case.submission_id,
        hall=f"自助终端 {payload.get('terminal_id') or ''}".strip())


class CompletionIssuer:
    """The completion hook of one platform app: issues with that app's ``office``."""

    def __init__(self, office: CertificateOffice) -> None:
        self.office = office

    def __call__(self, case: CompletedCase) -> str:
        """Issue the certificate of ``case``; the line for its history (the document id)."""
        facts = facts_of(case, datetime.now(UTC))
        if facts.service_id not in CERTIFICATE_OF_SERVICE:
            raise NoCertificateIssuer(f"the service {facts.service_id or '?'} yields no certificate: "
                                      "complete the case with a pickup notice")
        if not facts.id_number or not facts.applicant_name:
            raise NoCertificateIssuer("the application names nobody to certify")
        issued = self.office.issue_certificate(facts)
        return f"证明已出具 Certificate issued: {issued.document_id}"
