"""TEST AND DEMO ONLY: build a complete test passport — LDS files and an EF.SOD signed by a
CSCA → DSC chain generated on the spot (keys never stored, never in the repository)."""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ...emrtd import lds
from ...emrtd.mrz import AccessKey, Mrz, check_digit, parse
from ...emrtd.pace import PaceInfo
from ...emrtd.sod import CONTENT_TYPE, LDS_SECURITY_OBJECT, MESSAGE_DIGEST, SIGNED_DATA
from ...emrtd.tlv import build, der_int, der_oid
from .card import EmrtdCard

SHA256 = "2.16.840.1.101.3.4.2.1"
ECDSA_SHA256 = "1.2.840.10045.4.3.2"
PACE_AES128_P256 = PaceInfo("0.4.0.127.0.7.2.2.4.2.2", 12)


def td3(surname: str, given: str, number: str, nationality: str, birth: str, sex: str, expiry: str,
        issuer: str = "CHN") -> str:
    """A valid TD3 MRZ (two 44-character lines joined by a newline)."""
    name = (surname.replace(" ", "<") + "<<" + given.replace(" ", "<")).ljust(39, "<")[:39]
    line1 = f"P<{issuer}{name}"
    number9 = number.ljust(9, "<")
    personal = "<" * 14
    body = (number9 + check_digit(number9) + nationality + birth + check_digit(birth) + sex + expiry
            + check_digit(expiry) + personal + check_digit(personal))
    composite = body[0:10] + body[13:20] + body[21:43]
    return line1 + "\n" + body + check_digit(composite)


SAMPLE_MRZ = td3("ZHOU", "XIAOMEI", "EH6183524", "CHN", "900802", "F", "310614")


@dataclass
class TestPki:
    """A CSCA and a DSC it issued; ``csca_pem`` is what a terminal would configure."""

    csca: x509.Certificate
    dsc: x509.Certificate
    dsc_key: ec.EllipticCurvePrivateKey

    @property
    def csca_pem(self) -> bytes:
        """The CSCA certificate as PEM."""
        return self.csca.public_bytes(serialization.Encoding.PEM)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_pki(country_cn: str = "Test CSCA (not for production)") -> TestPki:
    """A fresh CSCA → DSC chain (EC P-256) generated now."""
    now = _dt.datetime.now(_dt.UTC)
    csca_key = ec.generate_private_key(ec.SECP256R1())
    csca = (x509.CertificateBuilder().subject_name(_name(country_cn)).issuer_name(_name(country_cn))
            .public_key(csca_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - _dt.timedelta(days=1)).not_valid_after(now + _dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(csca_key, hashes.SHA256()))
    dsc_key = ec.generate_private_key(ec.SECP256R1())
    dsc = (x509.CertificateBuilder().subject_name(_name("Test Document Signer")).issuer_name(csca.subject)
           .public_key(dsc_key.public_key()).serial_number(x509.random_serial_number())
           .not_valid_before(now - _dt.timedelta(days=1)).not_valid_after(now + _dt.timedelta(days=365))
           .sign(csca_key, hashes.SHA256()))
    return TestPki(csca, dsc, dsc_key)


def build_sod(groups: dict[int, bytes], pki: TestPki) -> bytes:
    """EF.SOD: CMS SignedData over an LDS security object hashing ``groups`` (SHA-256, ECDSA)."""
    algorithm = build(0x30, der_oid(SHA256))
    hashes_der = b"".join(build(0x30, der_int(n) + build(0x04, hashlib.sha256(v).digest()))
                          for n, v in sorted(groups.items()))
    lds_object = build(0x30, der_int(0) + algorithm + build(0x30, hashes_der))
    attributes = (build(0x30, der_oid(CONTENT_TYPE) + build(0x31, der_oid(LDS_SECURITY_OBJECT)))
                  + build(0x30, der_oid(MESSAGE_DIGEST)
                          + build(0x31, build(0x04, hashlib.sha256(lds_object).digest()))))
    signature = pki.dsc_key.sign(build(0x31, attributes), ec.ECDSA(hashes.SHA256()))
    issuer = pki.dsc.issuer.public_bytes()
    signer = build(0x30, der_int(1) + build(0x30, issuer + der_int(pki.dsc.serial_number)) + algorithm
                   + build(0xA0, attributes) + build(0x30, der_oid(ECDSA_SHA256)) + build(0x04, signature))
    signed_data = build(0x30, der_int(3) + build(0x31, algorithm)
                        + build(0x30, der_oid(LDS_SECURITY_OBJECT) + build(0xA0, build(0x04, lds_object)))
                        + build(0xA0, pki.dsc.public_bytes(serialization.Encoding.DER))
                        + build(0x31, signer))
    return build(0x77, build(0x30, der_oid(SIGNED_DATA) + build(0xA0, signed_data)))


def face_image(size_bytes: int = 0, jpeg2000: bool = False) -> bytes:
    """A face image for DG2: the sample photo (or a generated one), padded towards ``size_bytes``."""
    from PIL import Image

    from ..samples import sample_photo_jpeg

    photo = sample_photo_jpeg()
    image = Image.open(io.BytesIO(photo)) if photo else Image.new("RGB", (240, 320), (200, 180, 160))
    out = io.BytesIO()
    if jpeg2000:
        image.convert("RGB").resize((240, 296)).save(out, format="JPEG2000")
        return out.getvalue()
    image = image.convert("RGB")
    data = b""
    for quality in (85, 70, 50, 30, 15):
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=quality)
        data = out.getvalue()
        if not size_bytes or len(data) <= size_bytes:
            break
        image = image.resize((image.width * 3 // 4, image.height * 3 // 4))
    if size_bytes and len(data) < size_bytes:
        # Pad with a JPEG comment segment so the file stays a valid JPEG of the requested size.
        comment = b"\xff\xfe" + (min(size_bytes - len(data), 65533) + 2).to_bytes(2, "big")
        data = data[:2] + comment + bytes(min(size_bytes - len(data), 65533)) + data[2:]
    return data


@dataclass
class TestPassport:
    """Everything a test needs: the card, its MRZ and access key, and the PKI that signed it."""

    card: EmrtdCard
    mrz: Mrz
    key: AccessKey
    pki: TestPki
    files: dict[str, bytes]


def make_passport(mrz_text: str = SAMPLE_MRZ, can: str = "123456", pace: list[PaceInfo] | None = None,
                  bac: bool = True, dg2_size: int = 0, jpeg2000: bool = False, extended: bool = False,
                  dg11: dict[int, str] | None = None, pki: TestPki | None = None,
                  max_read: int = 0xFF00, omit: tuple[str, ...] = (),
                  bare_status: frozenset[int] = frozenset()) -> TestPassport:
    """A signed test passport. ``pace`` None means PACE-ECDH-GM-AES-128 on P-256 plus BAC.

    ``omit``: files (e.g. "DG11", "SOD") the chip does not have although EF.COM lists them and
    EF.SOD hashes them, as on real documents; ``bare_status``: see :class:`EmrtdCard`.
    """
    mrz = parse(mrz_text)
    pki = pki or make_pki()
    raw_mrz = mrz_text.replace("\n", "").encode("ascii")
    files = {
        "DG1": build(0x61, build(0x5F1F, raw_mrz)),
        "DG2": lds.build_dg2(face_image(dg2_size, jpeg2000)),
    }
    tags = b"\x61\x75"
    fields = dg11 if dg11 is not None else {0x5F0E: "周晓梅", 0x5F2B: "19900802"}
    if fields:
        files["DG11"] = build(0x6B, build(0x5C, b"".join(t.to_bytes(2, "big") for t in fields))
                              + b"".join(build(t, v.encode()) for t, v in fields.items()))
        tags += b"\x6b"
    files["COM"] = build(0x60, build(0x5F01, b"0107") + build(0x5F36, b"040000") + build(0x5C, tags))
    numbers = {"DG1": 1, "DG2": 2, "DG11": 11}
    files["SOD"] = build_sod({numbers[n]: files[n] for n in numbers if n in files}, pki)
    key = AccessKey.from_mrz(mrz)
    on_chip = {name: data for name, data in files.items() if name not in omit}
    card = EmrtdCard(on_chip, key.mrz_information(), can, [PACE_AES128_P256] if pace is None else pace,
                     bac, extended, max_read, frozenset(bare_status))
    return TestPassport(card, mrz, key, pki, files)
