"""Seeded, version-proof randomisation and neutral kit codes for N-of-1 trials.

A pharmacy must be able to regenerate an allocation list years later from its seed, so the
random stream must not depend on numpy's or Python's generator implementations (neither
promises a stable stream across versions). We use SHA-256 in counter mode:

.. math::

    u_j = \\text{SHA-256}(\\text{purpose} \\,\\|\\, \\text{seed} \\,\\|\\, j)

read as 64-bit integers, with rejection sampling for unbiased integers in ``[0, n)`` and the
Fisher–Yates shuffle (Knuth, TAOCP vol. 2, Algorithm P) for permutations.

Kit codes come from a *separate* stream (purpose ``"kit"``) that never sees the allocation,
so a code carries no information about its arm: the same seed gives the same codes in period
order whatever the arms are. Each code is six characters of Crockford's base-32 alphabet (no
I, L, O, U, so nothing reads as 1 or 0) plus a mod-32 Luhn check character, so a mistyped code
is detected (Luhn mod N detects every single-character error and most adjacent swaps).

Anyone who has the seed can regenerate the allocation: the seed is as secret as the list.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from typing import TypeVar

__all__ = ["SeededStream", "kit_code_is_valid", "kit_codes", "permuted_cycles"]

T = TypeVar("T")

#: Crockford base-32: digits and upper-case letters without I, L, O, U.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
KIT_BODY_LENGTH = 6
KIT_PREFIX = "KIT-"


class SeededStream:
    """Deterministic uniform integers from SHA-256(purpose, seed, counter)."""

    def __init__(self, seed: int, purpose: str) -> None:
        self._prefix = f"lowdose-nof1|{purpose}|{seed}|".encode()
        self._counter = 0
        self._stream = self._words()

    def _words(self) -> Iterator[int]:
        while True:
            digest = hashlib.sha256(self._prefix + str(self._counter).encode()).digest()
            self._counter += 1
            for i in range(0, 32, 8):
                yield int.from_bytes(digest[i : i + 8], "big")

    def below(self, n: int) -> int:
        """An unbiased integer in ``[0, n)`` (rejection sampling on 64-bit words)."""
        if n <= 0:
            raise ValueError("n must be positive")
        limit = (1 << 64) - ((1 << 64) % n)
        for word in self._stream:
            if word < limit:
                return word % n
        raise AssertionError("unreachable")  # pragma: no cover

    def shuffled(self, items: Sequence[T]) -> list[T]:
        """A uniformly random permutation of ``items`` (Fisher–Yates)."""
        out = list(items)
        for i in range(len(out) - 1, 0, -1):
            j = self.below(i + 1)
            out[i], out[j] = out[j], out[i]
        return out


def permuted_cycles(arms: Sequence[T], cycles: int, seed: int) -> list[list[T]]:
    """``cycles`` independent random orders of ``arms`` (each arm once per cycle)."""
    stream = SeededStream(seed, "allocation")
    return [stream.shuffled(arms) for _ in range(cycles)]


def _luhn_check(body: str) -> str:
    n = len(ALPHABET)
    total = 0
    factor = 2
    for char in reversed(body):
        addend = factor * ALPHABET.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // n + addend % n
    return ALPHABET[(n - total % n) % n]


def kit_codes(count: int, seed: int) -> list[str]:
    """``count`` distinct kit codes like ``KIT-7F3Q9X-K`` from the seed's kit stream."""
    stream = SeededStream(seed, "kit")
    codes: list[str] = []
    while len(codes) < count:
        body = "".join(ALPHABET[stream.below(len(ALPHABET))] for _ in range(KIT_BODY_LENGTH))
        code = f"{KIT_PREFIX}{body}-{_luhn_check(body)}"
        if code not in codes:
            codes.append(code)
    return codes


def kit_code_is_valid(code: str) -> bool:
    """Whether ``code`` is well formed and its check character matches (catches typos)."""
    code = code.strip().upper()
    if not code.startswith(KIT_PREFIX):
        return False
    rest = code[len(KIT_PREFIX) :]
    body, _, check = rest.partition("-")
    if len(body) != KIT_BODY_LENGTH or len(check) != 1:
        return False
    if any(c not in ALPHABET for c in body + check):
        return False
    return _luhn_check(body) == check
