"""EF.SOD and passive authentication (ICAO 9303-11 §5.1; CMS SignedData, RFC 5652).

Data group hashes are always checked against the raw bytes as read. The SOD's signature is
checked with the Document Signer certificate embedded in it, and the DSC against the configured
CSCA certificates when there are any. CRLs and the ICAO master list are out of scope here.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes

from ...common import ErrorAction, ProtocolError
from .tlv import Tlv, TlvError, build, der_int_value, oid_text, parse_one, require

SIGNED_DATA = "1.2.840.113549.1.7.2"
LDS_SECURITY_OBJECT = "2.23.136.1.1.1"
CONTENT_TYPE = "1.2.840.113549.1.9.3"
MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
HASHES = {"1.3.14.3.2.26": "sha1", "2.16.840.1.101.3.4.2.4": "sha224", "2.16.840.1.101.3.4.2.1": "sha256",
          "2.16.840.1.101.3.4.2.2": "sha384", "2.16.840.1.101.3.4.2.3": "sha512"}
_CRYPTO_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256,
    "sha384": hashes.SHA384, "sha512": hashes.SHA512}
_PSS = "1.2.840.113549.1.1.10"


class PassiveAuthError(ProtocolError):
    """The document's data or signature is not genuine (or not provably so with our CSCAs)."""

    default_action = ErrorAction.NONE


@dataclass(frozen=True)
class Sod:
    """A parsed EF.SOD: hash algorithm, DG number → hash, and what the signature needs."""

    hash_name: str
    dg_hashes: dict[int, bytes]
    econtent: bytes
    digest_name: str
    signed_attrs: bytes
    message_digest: bytes
    signature_oid: str
    signature: bytes
    certificates: list[bytes]
    signer_serial: int | None


def _seq(item: Tlv, tag: int, what: str) -> list[Tlv]:
    if item.tag != tag:
        raise TlvError(f"{what} has an unexpected tag")
    return item.children()


def _algorithm(item: Tlv) -> str:
    return oid_text(_seq(item, 0x30, "AlgorithmIdentifier")[0].value)


def parse_sod(data: bytes) -> Sod:
    """Parse EF.SOD; :class:`TlvError` when it is not the expected CMS structure."""
    outer, _ = parse_one(data)
    if outer.tag != 0x77:
        raise TlvError("EF.SOD has the wrong outer tag")
    content_info = _seq(parse_one(outer.value)[0], 0x30, "ContentInfo")
    if len(content_info) < 2 or oid_text(content_info[0].value) != SIGNED_DATA:
        raise TlvError("EF.SOD is not CMS SignedData")
    signed = _seq(_seq(content_info[1], 0xA0, "content")[0], 0x30, "SignedData")
    if len(signed) < 4:
        raise TlvError("SignedData is incomplete")
    encap = _seq(signed[2], 0x30, "EncapsulatedContentInfo")
    if len(encap) < 2 or oid_text(encap[0].value) != LDS_SECURITY_OBJECT:
        raise TlvError("EF.SOD does not hold an LDS security object")
    econtent = _seq(encap[1], 0xA0, "eContent")[0]
    if econtent.tag != 0x04:
        raise TlvError("eContent is not an OCTET STRING")
    lds = _seq(parse_one(econtent.value)[0], 0x30, "LDSSecurityObject")
    if len(lds) < 3:
        raise TlvError("LDSSecurityObject is incomplete")
    hash_name = HASHES.get(_algorithm(lds[1]))
    if hash_name is None:
        raise TlvError("EF.SOD uses an unknown hash algorithm")
    dg_hashes = {}
    for entry in _seq(lds[2], 0x30, "dataGroupHashValues"):
        number, value = _seq(entry, 0x30, "DataGroupHash")[:2]
        dg_hashes[der_int_value(number.value)] = value.value
    certificates = [build(c.tag, c.value) for c in signed[3].children()] if signed[3].tag == 0xA0 else []
    signer_infos = signed[-1]
    signers = _seq(signer_infos, 0x31, "signerInfos")
    if not signers:
        raise TlvError("EF.SOD has no signer")
    signer = _seq(signers[0], 0x30, "SignerInfo")
    if len(signer) < 6:
        raise TlvError("SignerInfo is incomplete")
    serial = None
    if signer[1].tag == 0x30:
        serial = der_int_value(signer[1].children()[1].value)
    digest_name = HASHES.get(_algorithm(signer[2]))
    if digest_name is None or signer[3].tag != 0xA0:
        raise TlvError("SignerInfo lacks a known digest or signed attributes")
    message_digest = b""
    for attribute in signer[3].children():
        parts = _seq(attribute, 0x30, "Attribute")
        if oid_text(parts[0].value) == MESSAGE_DIGEST:
            message_digest = parts[1].children()[0].value
    return Sod(hash_name, dg_hashes, econtent.value, digest_name, build(0x31, signer[3].value),
               message_digest, _algorithm(signer[4]), signer[5].value, certificates, serial)


def load_csca_certificates(path: str) -> list[x509.Certificate]:
    """CSCA certificates from a PEM/DER file or a directory of them (``*.pem *.der *.cer *.crt``)."""
    source = Path(path)
    files = sorted(p for p in source.iterdir() if p.suffix.lower() in {".pem", ".der", ".cer", ".crt"}) \
        if source.is_dir() else [source]
    certificates = []
    for file in files:
        data = file.read_bytes()
        if b"-----BEGIN" in data:
            certificates.extend(x509.load_pem_x509_certificates(data))
        else:
            certificates.append(x509.load_der_x509_certificate(data))
    return certificates


def passive_authentication(sod_bytes: bytes, data_groups: dict[int, bytes],
                           cscas: list[x509.Certificate] | None) -> str:
    """Verify EF.SOD over the raw ``data_groups`` read; returns "chain", "signature" or raises.

    Raises :class:`PassiveAuthError` when a hash differs, the signature or the chain fails.
    """
    sod = parse_sod(sod_bytes)
    for number, raw in data_groups.items():
        expected = sod.dg_hashes.get(number)
        if expected is None:
            raise PassiveAuthError(f"EF.SOD has no hash for DG{number}")
        if not hmac.compare_digest(hashlib.new(sod.hash_name, raw).digest(), expected):
            raise PassiveAuthError(f"DG{number} does not match its signed hash")
    if not hmac.compare_digest(hashlib.new(sod.digest_name, sod.econtent).digest(), sod.message_digest):
        raise PassiveAuthError("the signed message digest does not match the security object")
    dsc = _signer_certificate(sod)
    _verify_signature(dsc.public_key(), sod)
    if not cscas:
        return "signature"
    for csca in cscas:
        if csca.subject == dsc.issuer:
            try:
                dsc.verify_directly_issued_by(csca)
            except (InvalidSignature, ValueError, TypeError):
                continue
            return "chain"
    raise PassiveAuthError("the document signer is not issued by a configured CSCA")


def _signer_certificate(sod: Sod) -> x509.Certificate:
    if not sod.certificates:
        raise PassiveAuthError("EF.SOD carries no document signer certificate")
    try:
        certificates = [x509.load_der_x509_certificate(c) for c in sod.certificates]
    except ValueError as exc:
        raise PassiveAuthError("the document signer certificate is malformed") from exc
    for certificate in certificates:
        if sod.signer_serial is None or certificate.serial_number == sod.signer_serial:
            return certificate
    raise PassiveAuthError("the signer's certificate is not in EF.SOD")


def _verify_signature(public_key: CertificatePublicKeyTypes, sod: Sod) -> None:
    algorithm = _CRYPTO_HASHES[sod.digest_name]()
    try:
        if isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(sod.signature, sod.signed_attrs, ec.ECDSA(algorithm))
        elif isinstance(public_key, rsa.RSAPublicKey):
            pad = (padding.PSS(padding.MGF1(algorithm), padding.PSS.AUTO)
                   if sod.signature_oid == _PSS else padding.PKCS1v15())
            public_key.verify(sod.signature, sod.signed_attrs, pad, algorithm)
        else:
            raise PassiveAuthError("the document signer's key type is not supported")
    except InvalidSignature:
        raise PassiveAuthError("the EF.SOD signature is invalid") from None


__all__ = ["PassiveAuthError", "Sod", "load_csca_certificates", "parse_sod", "passive_authentication",
           "require"]
