"""Reviewer accounts: the people who decide review items, identified by a name and a secret.

Secrets are stored as argon2 hashes only. Every account created lands in the audit log, so the
set of people who could have decided anything is itself reviewable.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, insert, select, update

from catalog.tables import audit_log, inserted_id, reviewers
from schemas.records import time_text

NAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,49}")
MIN_SECRET = 12

_hasher = PasswordHasher()
# Verified when the name is unknown, so a login takes as long for a wrong name as a wrong secret.
_DUMMY_HASH = _hasher.hash("ratecard: no such reviewer")


class ReviewerError(ValueError):
    """The account cannot be created or changed as asked; the message says why."""


def validate_name(name: str) -> str:
    """`name` as given when it is a reviewer name: 2 to 50 characters, lowercase letters and
    digits first, then also '.', '_' or '-'. Raises ReviewerError otherwise."""
    if not NAME.fullmatch(name):
        raise ReviewerError(
            f"{name!r}: use 2-50 characters: lowercase letters, digits, '.', '_' or '-'"
        )
    return name


NOT_UTF8 = "the secret is not UTF-8 text: it holds bytes no character has"


def validate_secret(secret: str) -> str:
    """The secret as given, or ReviewerError when it is shorter than MIN_SECRET characters or
    is no UTF-8 text (bytes read from standard input that no character has arrive as lone
    surrogates, which the argon2 hash cannot encode)."""
    if len(secret) < MIN_SECRET:
        raise ReviewerError(f"the secret needs at least {MIN_SECRET} characters")
    try:
        secret.encode("utf-8")
    except UnicodeEncodeError:
        raise ReviewerError(NOT_UTF8) from None
    return secret


def add_reviewer(
    engine: Engine, name: str, secret: str, *, actor: str = "cli", now: datetime | None = None
) -> int:
    """Create an account, or refuse when the name is taken or the secret too short."""
    validate_name(name)
    validate_secret(secret)
    now = now or datetime.now(UTC)
    with engine.begin() as conn:
        if reviewer_exists(conn, name, active_only=False):
            raise ReviewerError(f"reviewer {name!r} already exists")
        reviewer_id = inserted_id(
            conn.execute(
                insert(reviewers).values(
                    name=name, secret_hash=_hasher.hash(secret), created_at=now, active=True
                )
            )
        )
        conn.execute(
            insert(audit_log).values(
                at=now,
                actor=actor,
                channel="cli",
                action="reviewer.add",
                target=f"reviewer:{name}",
                before={},
                after={"name": name, "active": True},
            )
        )
    return reviewer_id


def reviewer_exists(conn: Connection, name: str, *, active_only: bool = True) -> bool:
    """Whether a reviewer called `name` exists (and is active, unless `active_only` is False)."""
    query = select(reviewers.c.id).where(reviewers.c.name == name)
    if active_only:
        query = query.where(reviewers.c.active.is_(True))
    return conn.execute(query).first() is not None


def verify_reviewer(engine: Engine, name: str, secret: str) -> bool:
    """True when an active reviewer of that name has that secret. Rehashes outdated hashes."""
    with engine.connect() as conn:
        row = conn.execute(
            select(reviewers.c.id, reviewers.c.secret_hash).where(
                reviewers.c.name == name, reviewers.c.active.is_(True)
            )
        ).first()
    try:
        _hasher.verify(row.secret_hash if row else _DUMMY_HASH, secret)
    except (VerificationError, InvalidHashError):
        return False
    if row is None:
        return False
    if _hasher.check_needs_rehash(row.secret_hash):
        with engine.begin() as conn:
            conn.execute(
                update(reviewers)
                .where(reviewers.c.id == row.id)
                .values(secret_hash=_hasher.hash(secret))
            )
    return True


def session_valid(engine: Engine, name: str, started_at: float) -> bool:
    """Whether a web session of reviewer `name` started at `started_at` (Unix seconds) still
    holds: the reviewer is active and has not signed out since (reviewers.signed_out_at)."""
    with engine.connect() as conn:
        row = conn.execute(
            select(reviewers.c.active, reviewers.c.signed_out_at).where(reviewers.c.name == name)
        ).first()
    if row is None or not row.active:
        return False
    return row.signed_out_at is None or started_at > row.signed_out_at.timestamp()


def sign_out(engine: Engine, name: str, now: datetime) -> None:
    """End every web session of reviewer `name` started before `now` (every browser's)."""
    with engine.begin() as conn:
        conn.execute(update(reviewers).where(reviewers.c.name == name).values(signed_out_at=now))


def list_reviewers(engine: Engine) -> list[dict[str, object]]:
    """Every reviewer account by name: `{"name", "active", "created_at" (ISO 8601)}`, never the
    secret's hash."""
    with engine.connect() as conn:
        rows = conn.execute(select(reviewers).order_by(reviewers.c.name)).all()
    return [
        {"name": r.name, "active": r.active, "created_at": time_text(r.created_at)} for r in rows
    ]
