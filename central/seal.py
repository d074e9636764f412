"""The platform's seal: the key and certificate that sign the documents it issues (PAdES).

The seal lives in a folder of its own, ``DATA_DIR/seal`` unless ``$KIOSK_CENTRAL_SEAL_DIR``
names another (a mounted secret, say): ``seal-key.pem`` (the private key, PKCS#8 PEM, mode
0600), ``seal-cert.pem`` (its certificate) and ``chain.pem`` (the issuing CA certificates, up to
the root, as PEM one after another). ``kiosk-central seal init --demo`` makes a demo CA and a
seal certificate it issues, for the demo and the tests (never for real documents: the demo CA
is trusted by nobody); ``kiosk-central seal install --key K --cert C --chain CHAIN`` copies a
real seal into the folder. Signing is PAdES baseline B-B (``ETSI.CAdES.detached``) with
SHA-256, through pyHanko.

Thread rule: any thread; a loaded :class:`Seal` is read-only.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .files import private_dir, write_private_file

SEAL_DIR_ENV = "KIOSK_CENTRAL_SEAL_DIR"
KEY_FILE = "seal-key.pem"
CERT_FILE = "seal-cert.pem"
CHAIN_FILE = "chain.pem"
DEMO_ORGANISATION = "示范市政务服务中心（演示）"
SIGNATURE_FIELD = "PlatformSeal"


class SealMissing(Exception):
    """No seal in the seal folder (run ``kiosk-central seal init --demo`` or ``seal install``)."""


def seal_dir(data_dir: str | Path) -> Path:
    """The seal folder: ``$KIOSK_CENTRAL_SEAL_DIR``, else ``data_dir/seal``."""
    configured = os.environ.get(SEAL_DIR_ENV)
    return Path(configured) if configured else Path(data_dir) / "seal"


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: PrivateKeyTypes) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def make_demo_seal(folder: str | Path, organisation: str = DEMO_ORGANISATION, *,
                   years: int = 5) -> Path:
    """Make a demo CA and a seal certificate it issues for ``organisation`` in ``folder``
    (keys 0600, folder 0700); the CA's own key is not kept, so nothing else can ever be issued
    under it. Replaces a seal already there. Returns the folder."""
    folder = private_dir(folder)
    now = datetime.now(UTC) - timedelta(minutes=5)  # a validator's clock may lag a little
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("egov-kiosk Demo Root CA (not for real documents)", "egov-kiosk demo")
    ca_cert = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + timedelta(days=365 * years + 30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                       critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256()))
    seal_key = ec.generate_private_key(ec.SECP256R1())
    seal_cert = (
        x509.CertificateBuilder().subject_name(_name(f"{organisation} 电子印章", organisation))
        .issuer_name(ca_name).public_key(seal_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        # digitalSignature + nonRepudiation (contentCommitment): what a document seal needs
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False,
                                     False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                       critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256()))
    write_private_file(folder / KEY_FILE, _key_pem(seal_key))
    write_private_file(folder / CERT_FILE, _pem(seal_cert))
    write_private_file(folder / CHAIN_FILE, _pem(ca_cert))
    return folder


def install_seal(folder: str | Path, key: str | Path, cert: str | Path,
                 chain: str | Path) -> Path:
    """Copy a real seal (PEM key, certificate and CA chain) into ``folder`` after checking that
    the key belongs to the certificate (``ValueError`` otherwise). Returns the folder."""
    key_bytes, cert_bytes, chain_bytes = (Path(p).read_bytes() for p in (key, cert, chain))
    private = serialization.load_pem_private_key(key_bytes, password=None)
    certificate = x509.load_pem_x509_certificate(cert_bytes)
    x509.load_pem_x509_certificates(chain_bytes)  # readable, at least one
    raw = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if private.public_key().public_bytes(*raw) != certificate.public_key().public_bytes(*raw):
        raise ValueError("the key does not belong to the certificate")
    folder = private_dir(folder)
    write_private_file(folder / KEY_FILE, _key_pem(private))
    write_private_file(folder / CERT_FILE, cert_bytes)
    write_private_file(folder / CHAIN_FILE, chain_bytes)
    return folder


@dataclass(frozen=True)
class Seal:
    """A loaded seal: its certificate, its CA chain, and the pyHanko signer over its key."""

    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    signer: Any  # pyhanko.sign.signers.Signer, imported only when a seal is loaded

    @property
    def organisation(self) -> str:
        """The seal holder's organisation (O), or its common name."""
        for oid in (NameOID.ORGANIZATION_NAME, NameOID.COMMON_NAME):
            values = self.certificate.subject.get_attributes_for_oid(oid)
            if values:
                return str(values[0].value)
        return ""

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the seal certificate, hex: shown on the verification page."""
        return self.certificate.fingerprint(hashes.SHA256()).hex()

    def sign(self, pdf: bytes, reason: str, location: str = "") -> bytes:
        """``pdf`` with an invisible PAdES B-B signature by the seal, as an incremental
        update (the rendered pages stay byte for byte). pyHanko runs its own event loop: on a
        thread that already runs one (a coroutine, a Playwright test), the signing moves to a
        thread of its own and this waits for it."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return self._sign(pdf, reason, location)
        with ThreadPoolExecutor(1, thread_name_prefix="seal") as pool:
            return pool.submit(self._sign, pdf, reason, location).result()

    def _sign(self, pdf: bytes, reason: str, location: str) -> bytes:
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers

        writer = IncrementalPdfFileWriter(BytesIO(pdf))
        meta = signers.PdfSignatureMetadata(
            field_name=SIGNATURE_FIELD, md_algorithm="sha256", reason=reason,
            location=location or None, name=self.organisation,
            subfilter=fields.SigSeedSubFilter.PADES)
        out = signers.sign_pdf(writer, meta, signer=self.signer)
        return out.getvalue()


def load_seal(folder: str | Path) -> Seal:
    """The seal in ``folder``; ``SealMissing`` when it has none."""
    folder = Path(folder)
    if not (folder / KEY_FILE).exists() or not (folder / CERT_FILE).exists():
        raise SealMissing(f"no seal in {folder}: run `kiosk-central seal init --demo` (demo) or "
                          "`kiosk-central seal install` (a real one)")
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.keys import load_private_key_from_pemder_data
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    certificate = x509.load_pem_x509_certificate((folder / CERT_FILE).read_bytes())
    chain = tuple(x509.load_pem_x509_certificates((folder / CHAIN_FILE).read_bytes())
                  if (folder / CHAIN_FILE).exists() else ())
    der = serialization.Encoding.DER
    key: asn1_keys.PrivateKeyInfo = load_private_key_from_pemder_data(
        (folder / KEY_FILE).read_bytes(), passphrase=None)
    registry = SimpleCertificateStore.from_certs(
        [asn1_x509.Certificate.load(c.public_bytes(der)) for c in chain])
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(certificate.public_bytes(der)),
        signing_key=key, cert_registry=registry)
    return Seal(certificate, chain, signer)
