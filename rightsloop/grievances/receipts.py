"""The receipt a person gets when they raise a grievance: 32 digits they can write down and read out on a phone.

    4821 0937 3141 5926 5358 9793 2384 6264
    └ reference ┘└──────── secret (25 digits) ────────┘

The first REFERENCE_DIGITS digits are the case's `reference`: random, unique in the organisation, not secret; they
only say which case the receipt claims to open. The remaining SECRET_DIGITS digits are the secret: 25 decimal
digits are log2(10**25) ≈ 83.05 bits, so a guesser trying a million receipts a second would need about 150 billion
years on average to hit one given case. Only an Argon2id hash of the whole receipt is stored (`receipt_hash`).

When the submission carries an idempotency key (the form's one-time token, the API's Idempotency-Key), the secret
is derived from it under the organisation's blind-index key (HMAC-SHA256), so the same submission sent twice is
answered with the same receipt although the receipt itself is stored nowhere. Without a key it is drawn at random.
"""

from __future__ import annotations

import math
import secrets
import unicodedata
from functools import cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from django.conf import settings

from rightsloop.core.sealing import blind_index

from .models import Grievance

REFERENCE_DIGITS = 7
SECRET_DIGITS = 25
DIGITS = REFERENCE_DIGITS + SECRET_DIGITS
GROUP = 4
SECRET_BITS = SECRET_DIGITS * math.log2(10)  # 83.05: the issue asks for at least 80
# Longer input than this is not a receipt, whatever it holds (spaces and dashes included): refused unread.
MAX_TYPED = 200

# Argon2id parameters: one of OWASP's equivalent minimum configurations (7 MiB, 5 passes, 1 lane), the cheapest
# in memory of them and the fastest on the 2-core benchmark machine (about 23 ms a hash, against 35 ms for
# 19 MiB and 2 passes). The 83-bit secret is what makes guessing hopeless; the slow hash is defence in depth should
# the database leak. A deployment may raise them (RIGHTSLOOP_GRIEVANCE_RECEIPT_ARGON2); stored hashes carry
# their own parameters and are re-hashed on the next successful check.
ARGON2 = {"time_cost": 5, "memory_cost": 7168, "parallelism": 1}


@cache
def hasher() -> PasswordHasher:
    parameters = {**ARGON2, **getattr(settings, "RIGHTSLOOP_GRIEVANCE_RECEIPT_ARGON2", {})}
    return PasswordHasher(type=Type.ID, hash_len=32, salt_len=16, **parameters)


@cache
def _dummy_hash() -> str:
    """A hash no receipt opens, verified when no case has the reference, so the time taken says nothing."""
    return hasher().hash(secrets.token_hex(16))


def new_reference() -> str:
    return f"{secrets.randbelow(10 ** REFERENCE_DIGITS):0{REFERENCE_DIGITS}d}"


def secret_for(organisation_id: int, submission_key: str = "") -> str:
    """The receipt's secret part: derived from the submission's key when there is one, else random."""
    if submission_key:
        digest = blind_index(organisation_id, "grievance-receipt|" + submission_key)
        # 128 bits reduced modulo 10**25 (about 2**83): the bias is below one part in 10**13.
        number = int(digest, 16) % 10 ** SECRET_DIGITS
    else:
        number = secrets.randbelow(10 ** SECRET_DIGITS)
    return f"{number:0{SECRET_DIGITS}d}"


def compose(reference: str, secret: str) -> str:
    """The receipt as 32 digits, no spaces (what is hashed)."""
    return f"{reference}{secret}"


def display(receipt: str) -> str:
    """The receipt in groups of four digits separated by spaces, as shown and read out."""
    return " ".join(receipt[i:i + GROUP] for i in range(0, len(receipt), GROUP))


def hash_receipt(receipt: str) -> str:
    return hasher().hash(receipt)


def normalise(typed: str) -> str | None:
    """The 32 ASCII digits of a typed receipt, or None when it is not one.

    Spaces, dashes and dots between the groups do not matter, and digits may be typed in any script
    (Arabic-Indic ٤٨٢١, Devanagari ४८२१, full-width digits…): a person types the receipt in their own digits.
    """
    if not isinstance(typed, str) or len(typed) > MAX_TYPED:
        return None
    digits = []
    for char in typed:
        value = unicodedata.digit(char, None)
        if value is not None:
            digits.append(str(value))
        elif char.isspace() or char in ".·" or unicodedata.category(char) == "Pd":
            continue
        else:
            return None
    return "".join(digits) if len(digits) == DIGITS else None


def reference_of(receipt: str) -> str:
    return receipt[:REFERENCE_DIGITS]


def check(organisation, receipt: str) -> Grievance | None:
    """The case this (normalised) receipt opens in the organisation, or None.

    The reference finds at most one case; Argon2id decides. When no case has the reference a dummy hash is
    verified instead, so a wrong reference takes as long as a wrong secret.
    """
    if receipt is None or len(receipt) != DIGITS or not receipt.isascii() or not receipt.isdigit():
        return None
    grievance = (Grievance.objects.filter(organisation=organisation, reference=reference_of(receipt),
                                          erased_at__isnull=True).first())
    stored = grievance.receipt_hash if grievance is not None else _dummy_hash()
    try:
        hasher().verify(stored, receipt)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if grievance is None:
        return None
    if hasher().check_needs_rehash(stored):
        grievance.receipt_hash = hash_receipt(receipt)
        Grievance.objects.filter(pk=grievance.pk).update(receipt_hash=grievance.receipt_hash)
    return grievance
