"""Stable pseudonyms that stand in for a protected stakeholder's name."""

import hashlib
import hmac

from django.conf import settings
from django.utils.translation import gettext as _

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def pseudonym(stakeholder_id: int) -> str:
    """Return the same short code for the same stakeholder on every page, revealing nothing about them."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"stakeholder:{stakeholder_id}".encode(), hashlib.sha256
    ).digest()
    code = "".join(_ALPHABET[b % len(_ALPHABET)] for b in digest[:6])
    return _("Protected stakeholder %(code)s") % {"code": code}
