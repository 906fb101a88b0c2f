"""Allocation and neutral kit codes for N-of-1 trials, drawn from the operating system's CSPRNG.

Blinding must hold against a patient with unlimited computing time who sees every kit code.
Two rules make it hold by construction:

1. **No seed to search.** Each cycle's order of the arms is a uniformly random permutation
   (Fisher–Yates, Knuth, TAOCP vol. 2, Algorithm P, as in :meth:`random.Random.shuffle`) whose
   randomness comes from :class:`secrets.SystemRandom`, i.e. ``os.urandom``: the kernel's
   CSPRNG (ChaCha20 keyed with 256 bits on Linux; BCryptGenRandom on Windows), far above the
   128-bit security strength we require. There is no seed, so an attacker cannot enumerate
   seeds and replay them, as the 31-bit seed used before issue 11 allowed in minutes
   (``docs/decisions/0003-audit-and-blinding.md``).
2. **Codes independent of the allocation.** Each kit code is six characters drawn one by one
   with :meth:`random.Random.choice` from a *separate* generator that never sees the arms, so
   the joint distribution of (allocation, codes) is the product of its margins: a code carries
   zero bits of information about its arm, whatever the attacker's computing power.

Each code is six characters of Crockford's base-32 alphabet (no I, L, O, U, so nothing reads
as 1 or 0) plus a mod-32 Luhn check character, so a mistyped code is detected (Luhn mod N
detects every single-character error and most adjacent swaps).

The *stored* allocation is the record: nothing regenerates it. Tests make designs
deterministic by passing a :class:`random.Random` explicitly (``rng=`` / ``kit_rng=``); the
product path passes nothing and gets the CSPRNG.

Exceptions: ``ValueError`` for a non-positive count (programming errors only; the design layer
validates user input first and raises :class:`lowdose.errors.DesignError`).
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from typing import TypeVar

__all__ = [
    "ALPHABET",
    "csprng",
    "kit_code_is_valid",
    "kit_codes",
    "permuted_cycles",
]

T = TypeVar("T")

#: Crockford base-32: digits and upper-case letters without I, L, O, U.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
KIT_BODY_LENGTH = 6
KIT_PREFIX = "KIT-"


def csprng() -> random.Random:
    """A generator whose every draw comes from ``os.urandom`` (:class:`secrets.SystemRandom`).

    Looked up through the :mod:`secrets` module at call time, so a test can observe that the
    product path uses it.
    """
    return secrets.SystemRandom()


def permuted_cycles(
    arms: Sequence[T], cycles: int, rng: random.Random | None = None
) -> list[list[T]]:
    """``cycles`` independent uniformly random orders of ``arms`` (each arm once per cycle).

    Parameters
    ----------
    arms
        The arms to order; every cycle contains each exactly once.
    cycles
        Number of blocks.
    rng
        Source of randomness; ``None`` (the product path) means :func:`csprng`. Pass a seeded
        :class:`random.Random` only in tests and simulations, never for a real trial.

    Returns
    -------
    list of list
        ``cycles`` permutations of ``arms``; :math:`(k!)^{c}` equally likely outcomes for
        ``k`` arms and ``c`` cycles.
    """
    source = csprng() if rng is None else rng
    orders: list[list[T]] = []
    for _ in range(cycles):
        order = list(arms)
        source.shuffle(order)
        orders.append(order)
    return orders


def _luhn_check(body: str) -> str:
    n = len(ALPHABET)
    total = 0
    factor = 2
    for char in reversed(body):
        addend = factor * ALPHABET.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // n + addend % n
    return ALPHABET[(n - total % n) % n]


def kit_codes(count: int, rng: random.Random | None = None) -> list[str]:
    """``count`` distinct kit codes like ``KIT-7F3Q9X-K``, independent of any allocation.

    Parameters
    ----------
    count
        How many codes (one per kit).
    rng
        Source of randomness; ``None`` (the product path) means :func:`csprng`. It must not be
        the generator that drew the allocation if that one is seeded (tests pass their own).

    Returns
    -------
    list of str
        Codes in kit order; each body character uniform over :data:`ALPHABET` (5 bits).
    """
    if count <= 0:
        raise ValueError("count must be positive")
    source = csprng() if rng is None else rng
    codes: list[str] = []
    while len(codes) < count:
        body = "".join(source.choice(ALPHABET) for _ in range(KIT_BODY_LENGTH))
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
