"""API tokens as plain data: making one, the digest the store keeps, and valid names.

A token is 32 random bytes from :mod:`secrets`, base64url-encoded (43 characters). The
store keeps only its SHA-256, so a copy of the database gives nobody a working token.
A fast hash is right here, unlike for passwords: a slow, salted hash (bcrypt, argon2)
defends guessable secrets against brute force, and 256 random bits cannot be guessed
at any speed. A fast, unsalted digest also lets the token be looked up by an index,
one query per request, with nothing secret compared in Python (so no timing leak).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from dateline.errors import InputError
from dateline.model import validate_editor

TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 200
"""Longer ``Authorization`` values are refused unread (a real token has 43 characters)."""
_TOKEN_CHARACTERS = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True, slots=True)
class ApiToken:
    """One token, as the store lists it (never with the token itself)."""

    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


def new_token() -> str:
    """A new random token (shown once to whoever made it, then only its digest is kept)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str | None:
    """The SHA-256 (hex) the store keeps for ``token``; None for what cannot be a token."""
    if not 0 < len(token) <= MAX_TOKEN_LENGTH or not _TOKEN_CHARACTERS.match(token):
        return None
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def validate_token_name(name: str) -> str:
    """A token's name: it becomes the editor of every version written with the token.

    So it follows the editor rules (one line, at most 100 characters, no ``:``), and is
    not all digits: ``dateline token revoke 3`` means the token with id 3.
    """
    try:
        checked = validate_editor(name)
    except InputError as error:
        raise InputError(error.detail, field="name") from None
    if checked is None:
        raise InputError("a token needs a name (who writes with it)", field="name")
    if checked.isdigit():
        raise InputError(f"{checked!r} is all digits (ids are); add a letter", field="name")
    return checked
