"""A payment reference, and the bank details it must never be.

The ledger keeps the reference the finance system gave a payment, nothing that would let anyone move money:
an IBAN (two letters, two check digits, a valid mod-97 checksum) or a payment card number (13 to 19 digits
passing the Luhn check) is refused, whatever spaces or dashes it is written with.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")
_SEPARATORS = re.compile(r"[\s\-.]")


def _iban_checks(candidate: str) -> bool:
    moved = candidate[4:] + candidate[:4]
    digits = "".join(str(int(ch, 36)) for ch in moved)
    return int(digits) % 97 == 1


def _luhn(number: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def looks_like_bank_details(reference: str) -> bool:
    compact = _SEPARATORS.sub("", reference.upper())
    if _IBAN.fullmatch(compact) and _iban_checks(compact):
        return True
    return any(_luhn(run) for run in re.findall(r"[0-9]{13,19}", compact))


def check_reference(reference: str) -> str:
    """The reference, trimmed; refused when empty or when it reads as an account or card number."""
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError({"payment_reference": [_("Give the payment reference of the transfer.")]})
    if len(reference) > 80:
        raise ValidationError({"payment_reference": [_("A payment reference has at most 80 characters.")]})
    if looks_like_bank_details(reference):
        raise ValidationError({"payment_reference": [_(
            "This looks like a bank account (IBAN) or card number. Rightsloop stores no bank details: give the "
            "reference of the transfer from your finance system instead.")]})
    return reference
