"""Certificate issuance: the time the platform takes to issue one signed document (render the A4
page with fpdf2, sign it with the seal through pyHanko, store it sealed), as a case worker's 办结
with a certificate waits for it.

Runs a platform database (SQLite) and a demo seal in a temporary folder, issues ``--runs``
灵活就业人员参保证明 in one process, and reports the first issuance (fonts and seal loaded then)
and the median of the rest, with the render and signing parts of one more.
Baseline: 2-5 s per certificate, when fpdf2 parsed both Noto CJK faces for every document.

    .venv/bin/python bench/certificate.py [--runs 8]

Last line: ``first_issue_s=<t> issue_s_median=<t> baseline_issue_s=2-5``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from central.at_rest import AtRestKeys
from central.certificate_facts import INSURANCE_CERTIFICATE, CaseFacts
from central.certificate_pdf import RENDERERS
from central.certificates import CertificateOffice
from central.db import Database
from central.files import private_dir
from central.seal import make_demo_seal

FACTS = CaseFacts(
    service_id="flexible_employment_insurance", receipt_number="S01-T01-20261201-0007",
    applicant_name="张伟", id_number="110101199003071234",
    received_at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
    completed_at=datetime(2026, 12, 3, 15, 0, tzinfo=UTC), submission_id="sub-0007",
    hall="示范市政务服务大厅 1号自助终端",
    result={"employment_type": "platform", "insurance_types": ["pension", "medical"],
            "contribution_level": "60", "start_date": "2027-01-01"})


def main() -> None:
    """Issue the certificates and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        seal = make_demo_seal(root / "seal")
        db = Database(private_dir(root / "central") / "central.sqlite3")
        db.create_schema()
        office = CertificateOffice(db, seal, AtRestKeys.load_or_create(root / "keys"),
                                   "https://gov.example")
        times = []
        for _ in range(max(2, args.runs)):
            start = time.perf_counter()
            office.issue_certificate(FACTS)
            times.append(time.perf_counter() - start)
        start = time.perf_counter()
        unsigned = RENDERERS[INSURANCE_CERTIFICATE](FACTS, "DOC-1", "https://gov.example/v",
                                                    office.seal.organisation, datetime.now(UTC))
        render_s = time.perf_counter() - start
        start = time.perf_counter()
        signed = office.seal.sign(unsigned, reason="bench")
        sign_s = time.perf_counter() - start
        db.close()
    print(f"runs={len(times)} pdf_bytes={len(signed)} render_s={render_s:.3f} "
          f"sign_s={sign_s:.3f}")
    print(f"first_issue_s={times[0]:.3f} issue_s_median={statistics.median(times[1:]):.3f} "
          "baseline_issue_s=2-5")


if __name__ == "__main__":
    main()
