"""Short-Weierstrass curve arithmetic for PACE generic mapping (which needs ``s·G + H``, a point
addition that ``cryptography`` does not expose). Affine coordinates with Python integers:
slow by C standards but a handful of scalar multiplications per session (~10 ms)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from ...common import ErrorAction, ProtocolError

Point = tuple[int, int] | None  # None is the point at infinity


class CurveError(ProtocolError):
    """A point that is not on the curve, or an encoding we do not accept."""

    default_action = ErrorAction.NONE


@dataclass(frozen=True)
class Curve:
    """Curve parameters: field prime ``p``, coefficients ``a``, ``b``, generator, order ``n``."""

    name: str
    p: int
    a: int
    b: int
    gx: int
    gy: int
    n: int

    @property
    def g(self) -> Point:
        """The standard generator."""
        return (self.gx, self.gy)

    @property
    def size(self) -> int:
        """Bytes per coordinate."""
        return (self.p.bit_length() + 7) // 8

    def contains(self, point: Point) -> bool:
        """True when ``point`` is on the curve (or infinity)."""
        if point is None:
            return True
        x, y = point
        return 0 <= x < self.p and 0 <= y < self.p and (y * y - x * x * x - self.a * x - self.b) % self.p == 0

    def add(self, p1: Point, p2: Point) -> Point:
        """``p1 + p2``."""
        if p1 is None:
            return p2
        if p2 is None:
            return p1
        (x1, y1), (x2, y2) = p1, p2
        if x1 == x2 and (y1 + y2) % self.p == 0:
            return None
        slope = (3 * x1 * x1 + self.a) * pow(2 * y1, -1, self.p) if p1 == p2 else (y2 - y1) * pow(x2 - x1, -1, self.p)
        x3 = (slope * slope - x1 - x2) % self.p
        return (x3, (slope * (x1 - x3) - y1) % self.p)

    def multiply(self, k: int, point: Point) -> Point:
        """``k · point`` (double-and-add over Jacobian coordinates)."""
        return _jacobian_multiply(self, k % self.n, point)

    def encode(self, point: Point) -> bytes:
        """Uncompressed encoding ``04 || X || Y``."""
        if point is None:
            raise CurveError("cannot encode the point at infinity")
        return b"\x04" + point[0].to_bytes(self.size, "big") + point[1].to_bytes(self.size, "big")

    def decode(self, data: bytes) -> Point:
        """Decode an uncompressed point and check it lies on the curve."""
        if len(data) != 1 + 2 * self.size or data[0] != 0x04:
            raise CurveError("public point is not an uncompressed point of this curve")
        point = (int.from_bytes(data[1:1 + self.size], "big"), int.from_bytes(data[1 + self.size:], "big"))
        if not self.contains(point):
            raise CurveError("public point is not on the curve")
        return point

    def keypair(self, generator: Point = None) -> tuple[int, Point]:
        """A random private key and its public point on ``generator`` (default: G)."""
        private = secrets.randbelow(self.n - 1) + 1
        return private, self.multiply(private, generator or self.g)


def _jacobian_multiply(curve: Curve, k: int, point: Point) -> Point:
    if point is None or k == 0:
        return None
    p, a = curve.p, curve.a
    X, Y, Z = point[0], point[1], 1
    RX, RY, RZ = 0, 1, 0  # infinity

    def double(x: int, y: int, z: int) -> tuple[int, int, int]:
        if not y or not z:
            return 0, 1, 0
        ysq = y * y % p
        s = 4 * x * ysq % p
        m = (3 * x * x + a * pow(z, 4, p)) % p
        nx = (m * m - 2 * s) % p
        return nx, (m * (s - nx) - 8 * ysq * ysq) % p, 2 * y * z % p

    def add(x1: int, y1: int, z1: int, x2: int, y2: int, z2: int) -> tuple[int, int, int]:
        if not z1:
            return x2, y2, z2
        if not z2:
            return x1, y1, z1
        z1z1, z2z2 = z1 * z1 % p, z2 * z2 % p
        u1, u2 = x1 * z2z2 % p, x2 * z1z1 % p
        s1, s2 = y1 * z2 * z2z2 % p, y2 * z1 * z1z1 % p
        if u1 == u2:
            return double(x1, y1, z1) if s1 == s2 else (0, 1, 0)
        h, r = (u2 - u1) % p, (s2 - s1) % p
        h2 = h * h % p
        h3 = h * h2 % p
        u1h2 = u1 * h2 % p
        nx = (r * r - h3 - 2 * u1h2) % p
        return nx, (r * (u1h2 - nx) - s1 * h3) % p, h * z1 * z2 % p

    for bit in bin(k)[2:]:
        RX, RY, RZ = double(RX, RY, RZ)
        if bit == "1":
            RX, RY, RZ = add(RX, RY, RZ, X, Y, Z)
    if not RZ:
        return None
    zinv = pow(RZ, -1, p)
    return (RX * zinv * zinv % p, RY * zinv * zinv * zinv % p)


P256 = Curve(
    "secp256r1",
    0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF,
    0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFC,
    0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
    0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
    0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
    0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
)
BRAINPOOL_P256R1 = Curve(
    "brainpoolP256r1",
    0xA9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377,
    0x7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9,
    0x26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6,
    0x8BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262,
    0x547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997,
    0xA9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7,
)
#: BSI TR-03110 standardized domain parameter ids → curve.
STANDARD_CURVES = {12: P256, 13: BRAINPOOL_P256R1}
