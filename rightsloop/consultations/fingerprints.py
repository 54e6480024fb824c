"""Keyed fingerprints of respondent ids, contact addresses and receipt codes.

They let the import match a respondent seen before, the sender refuse a second message to one address, and the
public page find a receipt code, without any of these values being readable in the database.
"""

from rightsloop.core.sealing import blind_index


def normalise_receipt(code: str) -> str:
    # Codes are read out and typed back on phones: case, spaces and dashes must not matter.
    return "".join(ch for ch in code.upper() if ch.isalnum())


def respondent_key(organisation_id: int, respondent_id: str) -> str:
    return blind_index(organisation_id, f"respondent:{respondent_id.strip()}")


def contact_key(organisation_id: int, contact: str) -> str:
    return blind_index(organisation_id, f"contact:{contact.strip().lower()}") if contact.strip() else ""


def receipt_key(organisation_id: int, code: str) -> str:
    code = normalise_receipt(code)
    return blind_index(organisation_id, f"receipt:{code}") if code else ""
