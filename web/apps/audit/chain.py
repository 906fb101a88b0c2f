"""The hash chain that makes the audit log tamper-evident.

Every event stores ``prev_hash`` (the ``row_hash`` of the event appended before it, or
:data:`GENESIS` for the first) and ``row_hash``, the SHA-256 of a canonical serialisation of its
own content together with ``prev_hash``. Editing a row changes its hash; deleting or inserting a
row breaks the link of the row after it; cutting rows off the end disagrees with the one-row
chain head (:class:`~apps.audit.models.AuditChainHead`, which remembers the last link and the
length; the database itself moves it on every insert). :func:`verify` walks the chain in ``id``
order and names the first row that does not fit.

Appends are serialised so that two workers never both link to the same predecessor (a fork):

* PostgreSQL: :func:`append` reads the head row ``FOR UPDATE``, which locks it until the
  surrounding transaction commits or rolls back. A second appender waits; it then reads the head
  the first one committed (READ COMMITTED re-reads a row it waited for). A rolled-back
  transaction leaves neither its rows nor a changed head. On a new database without a head row
  the first appenders create it under the transaction-scoped advisory lock :data:`LOCK_KEY`.
* SQLite: the database has one writer at a time, and the settings open every transaction with
  ``BEGIN IMMEDIATE``, so the head is read under the write lock.

The canonical form is part of the stored data: changing :func:`canonical` needs a migration that
re-chains the log (and an entry in ``docs/access-and-audit.md``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.core.validators import validate_ipv46_address
from django.db import connection, transaction
from django.utils.ipv6 import clean_ipv6_address

if TYPE_CHECKING:
    from apps.audit.models import AuditEvent

__all__ = [
    "FIELDS",
    "GENESIS",
    "LOCK_KEY",
    "Break",
    "Verification",
    "append",
    "canonical",
    "row_hash",
    "verify",
]

#: ``prev_hash`` of the first event: 64 zeros (no predecessor).
GENESIS = "0" * 64

#: Advisory-lock key of the audit chain on PostgreSQL (any constant bigint; this one spells
#: "lowdose audit" in the first bytes of its SHA-256, so it will not collide by accident).
LOCK_KEY = int.from_bytes(hashlib.sha256(b"lowdose audit chain").digest()[:8], "big", signed=True)

#: The columns covered by the hash, in the order they are serialised (``id`` is not: the chain
#: itself gives the order, and the hash must be known before the database assigns the id).
FIELDS = (
    "at",
    "actor_id",
    "actor_username",
    "actor_role",
    "clinic_id",
    "action",
    "outcome",
    "patient_id",
    "object_type",
    "object_id",
    "ip_address",
    "user_agent",
    "method",
    "path",
    "detail",
)


def _timestamp(value: datetime) -> str:
    # Microseconds always written: both databases store them, and "12:00:00" vs "12:00:00.000000"
    # must not differ between the moment of writing and the moment of verifying.
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _address(value: Any) -> str | None:
    # The database normalises IPv6 (PostgreSQL ``inet``; Django cleans it before SQLite), so the
    # hash must see the normal form too.
    if value in (None, ""):
        return None
    text = str(value)
    validate_ipv46_address(text)
    return clean_ipv6_address(text) if ":" in text else text


def canonical(values: Mapping[str, Any], prev_hash: str) -> bytes:
    """The bytes that are hashed: a JSON object of :data:`FIELDS` and ``prev_hash``, keys sorted,
    no spaces, UTF-8, timestamps in UTC with microseconds, IPv6 in its normal form."""
    content: dict[str, Any] = {name: values.get(name) for name in FIELDS}
    content["at"] = _timestamp(values["at"])
    content["ip_address"] = _address(values.get("ip_address"))
    content["prev_hash"] = prev_hash
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def row_hash(values: Mapping[str, Any], prev_hash: str) -> str:
    """SHA-256 (hex) of :func:`canonical`."""
    return hashlib.sha256(canonical(values, prev_hash)).hexdigest()


def _values(event: Any) -> dict[str, Any]:
    return {name: getattr(event, name) for name in FIELDS}


def _create_head() -> None:
    """Insert the genesis head unless another appender has (PostgreSQL: the loser of two racing
    inserts waits for the winner's commit, then inserts nothing), under the advisory lock so
    that two appenders on a new database still take turns."""
    from apps.audit.models import AuditChainHead

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    AuditChainHead.objects.bulk_create(
        [AuditChainHead(pk=AuditChainHead.ONLY, last_hash=GENESIS, length=0)],
        ignore_conflicts=True,
    )


def append(event: AuditEvent) -> None:
    """Link ``event`` to the end of the chain and insert it, in the caller's transaction.

    Joins the caller's transaction (or opens one when the caller has none) and serialises with
    other appenders (see the module docstring); the insert moves the chain head in the same
    transaction (a database trigger, migration 0006): two statements.
    """
    from apps.audit.models import AuditChainHead, AuditEvent

    # No savepoint: if the append fails, the change it records must not commit either.
    with transaction.atomic(savepoint=False):
        # Reading the head locks it (FOR UPDATE): one statement where a separate lock and read
        # were two, inside the window every appender waits on.
        locked = AuditChainHead.objects.select_for_update()
        head = locked.filter(pk=AuditChainHead.ONLY).first()
        if head is None:  # a new database (the migration creates it; a test flush removes it)
            _create_head()
            head = locked.get(pk=AuditChainHead.ONLY)
        event.prev_hash = head.last_hash
        event.row_hash = row_hash(_values(event), event.prev_hash)
        # The insert moves the head: the database's trigger (migration 0006), in this statement.
        super(AuditEvent, event).save(force_insert=True)


@dataclass(frozen=True, slots=True)
class Break:
    """The first place where the chain does not hold."""

    event_id: int | None  # None: the break is at the end (the head disagrees with the last row)
    problem: str

    def __str__(self) -> str:
        where = f"event {self.event_id}" if self.event_id is not None else "end of the log"
        return f"{where}: {self.problem}"


@dataclass(frozen=True, slots=True)
class Verification:
    """What :func:`verify` found: how many events it walked and the first break, if any."""

    events: int
    first_break: Break | None

    @property
    def intact(self) -> bool:
        return self.first_break is None


def _rows(batch: int) -> Iterator[dict[str, Any]]:
    from apps.audit.models import AuditEvent

    last = 0
    while True:
        rows = list(
            AuditEvent.objects.filter(pk__gt=last)
            .order_by("id")
            .values("id", "prev_hash", "row_hash", *FIELDS)[:batch]
        )
        if not rows:
            return
        yield from rows
        last = rows[-1]["id"]


def verify(batch: int = 2000) -> Verification:
    """Walk every event in ``id`` order; report the first that was edited, removed or inserted.

    For each row: ``prev_hash`` must equal the previous row's ``row_hash`` (else a row before it
    was removed or inserted), and ``row_hash`` must equal the hash recomputed from the stored
    content (else the row was edited). At the end, the chain head must name the last row and the
    number of rows (else rows were cut off the end, or added around the application).
    """
    from apps.audit.models import AuditChainHead

    expected_prev = GENESIS
    count = 0
    last_id: int | None = None
    for row in _rows(batch):
        count += 1
        if row["prev_hash"] != expected_prev:
            return Verification(
                count,
                Break(
                    row["id"],
                    f"prev_hash {str(row['prev_hash'])[:12]}… does not match the row before it "
                    f"({'none: the first row' if last_id is None else f'event {last_id}'}, "
                    f"{expected_prev[:12]}…): a row before it was removed or inserted",
                ),
            )
        recomputed = row_hash(row, row["prev_hash"])
        if row["row_hash"] != recomputed:
            return Verification(
                count,
                Break(
                    row["id"],
                    f"row_hash {str(row['row_hash'])[:12]}… differs from its content's hash "
                    f"{recomputed[:12]}…: the row was edited",
                ),
            )
        expected_prev = row["row_hash"]
        last_id = row["id"]
    head = AuditChainHead.objects.filter(pk=AuditChainHead.ONLY).first()
    head_hash = head.last_hash if head is not None else GENESIS
    head_length = head.length if head is not None else 0
    if head_hash != expected_prev or head_length != count:
        return Verification(
            count,
            Break(
                None,
                f"the chain head records {head_length} events ending in {head_hash[:12]}… "
                f"(event {head.last_id if head else None}), the table holds {count} ending in "
                f"{expected_prev[:12]}… (event {last_id}): rows were removed from the end",
            ),
        )
    return Verification(count, None)
