"""Per-record retry delays of the sync worker: exponential, jittered, capped (never giving up)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with "equal jitter": the n-th retry waits between half and all of
    ``min(cap_s, base_s * 2**(n-1))``. Half is kept fixed so waits still grow with failures while
    the random half spreads a fleet of terminals that lost the network together."""

    base_s: float = 30.0
    cap_s: float = 6 * 3600.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (1 for the first retry)."""
        ceiling = min(self.cap_s, self.base_s * 2 ** min(max(attempt, 1) - 1, 62))
        return self.rng.uniform(ceiling / 2, ceiling)
