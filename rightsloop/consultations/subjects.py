"""What a consultation holds about a stakeholder who also answered it, for subject access and erasure (X5).

Respondents are not stakeholders: a consultation knows them only by a fingerprint of their respondent id and of
their address. When a stakeholder asks what is held about them, the responses sent from their email address are
found by that address's fingerprint (a person who answered without an address, or from another one, cannot be
found, and nothing else links them).
"""

from __future__ import annotations

from .fingerprints import contact_key
from .models import Respondent, RespondentMessage, Response, ThemeAssignment, ThemeStatus


def _respondents(stakeholder):
    email = stakeholder.email or ""
    key = contact_key(stakeholder.organisation_id, email) if email else ""
    if not key:
        return Respondent.objects.none()
    return Respondent.objects.filter(organisation_id=stakeholder.organisation_id, contact_index=key)


def export(stakeholder) -> list[dict]:
    respondents = list(_respondents(stakeholder).select_related("consultation__engagement").order_by("id"))
    if not respondents:
        return []
    responses = (Response.objects.filter(respondent__in=respondents).select_related("respondent__organisation")
                 .order_by("consultation_id", "line"))
    themes: dict[int, list[dict]] = {}
    for placement in (ThemeAssignment.objects.filter(response__respondent__in=respondents, theme__isnull=False,
                                                     theme__status=ThemeStatus.FINAL)
                      .select_related("theme__current_decision")):
        decision = placement.theme.current_decision
        themes.setdefault(placement.response_id, []).append({
            "theme": placement.theme.label,
            "decision": None if decision is None else {
                "outcome": decision.outcome, "rationale": decision.rationale, "next_step": decision.next_step,
                "next_step_due": decision.next_step_due.isoformat() if decision.next_step_due else None,
            },
        })
    written = set(RespondentMessage.objects.filter(respondent__in=respondents).values_list("consultation_id",
                                                                                          flat=True))
    by_consultation: dict[int, dict] = {}
    for respondent in respondents:
        consultation = respondent.consultation
        entry = by_consultation.setdefault(consultation.pk, {
            "consultation": consultation.engagement.title, "responses": [],
            "told_the_outcome": consultation.pk in written,
        })
        entry["consented_to_be_written_to"] = entry.get("consented_to_be_written_to", False) or respondent.consented
    for response in responses:
        by_consultation[response.consultation_id]["responses"].append({
            "line": response.line, "said": response.text, "language": response.language,
            "themes": themes.get(response.pk, []),
        })
    return list(by_consultation.values())


def erase(stakeholder) -> int:
    """Clear what the person wrote and their address; the responses stay as counted, anonymous rows in themes."""
    from .actions.imports import drop_files_naming

    respondents = _respondents(stakeholder)
    cleared = Response.objects.filter(respondent__in=respondents).update(text_sealed=b"")
    # Files of responses still stored (imports not finished) may hold the address and words too.
    dropped = drop_files_naming(organisation_id=stakeholder.organisation_id, address=stakeholder.email or "")
    return cleared + dropped + respondents.update(contact_sealed=b"", contact_index="", consented=False)
