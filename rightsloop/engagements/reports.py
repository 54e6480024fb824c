"""Build the feedback letter for one participant from the decisions on their inputs.

Every word of the letter is chosen here, once, in the letter's language; the HTML letter
(templates/engagements/feedback/letter.html) and its plain-text alternative (letter.txt) only lay those
words out, so the email's two parts, the preview and the PDF cannot say different things.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _

from rightsloop.core.formats import localise_digits
from rightsloop.core.languages import direction, interface_languages, stakeholder_language

from .models import Input, LetterDraft, Participation
from .vocabulary import Outcome


@dataclass(frozen=True)
class ReportItem:
    said: str
    # The affected group the addressee relayed these words for; empty for their own words.
    group: str
    outcome: str
    outcome_label: str
    rationale: str
    next_step: str
    next_step_due: datetime.date | None
    # What the letter says of this input, in the letter's language.
    for_group: str = ""
    explanation: str = ""
    promise: str = ""


@dataclass(frozen=True)
class LetterSection:
    heading: str
    items: list[ReportItem]


@dataclass
class ReportContent:
    language: str
    subject: str
    body: str
    html: str = ""
    direction: str = "ltr"
    greeting: str = ""
    opening: list[str] = field(default_factory=list)
    personal_note: str = ""
    sections: list[LetterSection] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)
    signature: list[str] = field(default_factory=list)
    # Where replies go (the email's Reply-To); empty when neither the organisation nor the owner has an address.
    reply_to: str = ""
    heard: list[ReportItem] = field(default_factory=list)
    # Each input is in exactly one of these three.
    done: list[ReportItem] = field(default_factory=list)
    not_done: list[ReportItem] = field(default_factory=list)
    still_open: list[ReportItem] = field(default_factory=list)
    covers_decisions_until: datetime.datetime | None = None
    # The groups whose words the addressee, a proxy, relayed: the report is theirs to pass on.
    relayed_for: list[str] = field(default_factory=list)
    # The language the person prefers when we have no translation into it ("" when we have).
    wanted_language: str = ""
    # The letter is the owner's human translation (`language` is then the translation's).
    translated: bool = False
    # The letter as we wrote it, when `translated`; and whether an attached translation no longer matches it.
    original: ReportContent | None = None
    translation_outdated: bool = False
    # Identifies what the letter says (not whom it greets): a translation is of one such letter.
    digest: str = ""

    @property
    def partly_done(self) -> list[ReportItem]:
        return [item for item in self.done if item.outcome == Outcome.PARTLY_ADOPTED]


def _wanted(participation: Participation) -> list[str]:
    stakeholder = participation.stakeholder
    return [code for code in [stakeholder.preferred_language, *stakeholder.languages] if code]


def language_for(participation: Participation) -> str:
    # The fall-back order of docs/languages.md: their languages, their country's main ones, the organisation's.
    return stakeholder_language(_wanted(participation), country=participation.stakeholder.country,
                                organisation_language=participation.engagement.organisation.default_language)


def untranslated_preference(participation: Participation) -> str:
    """The language the person prefers most, when the product has no translation into it; else ""."""
    wanted = _wanted(participation)
    return wanted[0] if wanted and wanted[0] not in interface_languages() else ""


def speaks_letter_language(participation: Participation, language: str) -> bool:
    """Whether the letter's language is one the person told us they read (or they told us none)."""
    wanted = _wanted(participation)
    return not wanted or language in wanted


def reply_address(participation: Participation) -> str:
    engagement = participation.engagement
    return engagement.organisation.feedback_reply_to or (engagement.owner.email if engagement.owner_id else "")


def _date(value: datetime.date | None) -> str:
    # In the letter's language, with its digits (Arabic-Indic in Arabic: core.formats).
    return localise_digits(formats.date_format(value, "DATE_FORMAT")) if value else ""


def _item(item: Input, engagement) -> ReportItem:
    decision = item.current_decision
    outcome = decision.outcome if decision else ""
    rationale = decision.rationale if decision else ""
    next_step = decision.next_step if decision else ""
    due = decision.next_step_due if decision else None
    promise = ""
    if outcome == Outcome.UNDER_CONSIDERATION:
        if next_step and due:
            promise = _("Next step: %(step)s. You will hear from us by %(date)s.") % {
                "step": next_step.rstrip(". "), "date": _date(due)}
        elif next_step:
            promise = _("Next step: %(step)s.") % {"step": next_step.rstrip(". ")}
        elif due:
            promise = _("You will hear from us by %(date)s.") % {"date": _date(due)}
    elif not outcome:
        promise = _("We have not decided yet. You will hear from us by %(date)s.") % {
            "date": _date(engagement.feedback_due_on)}
    if rationale:
        explanation = rationale
    elif outcome == Outcome.ADOPTED:
        explanation = _("We adopted this.")
    elif outcome == Outcome.UNDER_CONSIDERATION:
        explanation = _("We are still considering this.")
    else:
        explanation = ""
    return ReportItem(
        said=item.text,
        group=item.group.name if item.group_id else "",
        outcome=outcome,
        outcome_label=str(Outcome(outcome).label) if outcome else _("Not yet decided"),
        rationale=rationale,
        next_step=next_step,
        next_step_due=due,
        for_group=_("For %(group)s") % {"group": item.group.name} if item.group_id else "",
        explanation=explanation,
        promise=promise,
    )


def _digest(content: ReportContent) -> str:
    said = [[i.said, i.group, i.outcome, i.rationale, i.next_step, _date(i.next_step_due)] for i in content.heard]
    material = [content.language, content.subject, content.personal_note, content.reply_to, said]
    return hashlib.sha256(json.dumps(material, ensure_ascii=False).encode()).hexdigest()


def _draft(participation: Participation) -> LetterDraft | None:
    # Read afresh: a draft cached on the participation may predate a note or translation just changed.
    draft = LetterDraft.objects.filter(participation=participation).first()
    if draft is not None:
        draft.participation = participation  # its sealing key is the person's, already at hand
    return draft


def _written(participation: Participation, *, language: str, addressee: str, note: str) -> ReportContent:
    engagement = participation.engagement
    organisation = engagement.organisation
    inputs = list(
        Input.objects.standing().filter(speaker=participation)
        .select_related("current_decision", "speaker__stakeholder", "group")
        .order_by("recorded_at", "id")
    )
    owner = engagement.owner
    owner_name = owner.get_full_name() or owner.get_username()
    reply_to = reply_address(participation)
    with translation.override(language):
        items = [_item(item, engagement) for item in inputs]
        done = [i for i in items if i.outcome in (Outcome.ADOPTED, Outcome.PARTLY_ADOPTED)]
        not_done = [i for i in items if i.outcome == Outcome.NOT_ADOPTED]
        still_open = [i for i in items if i.outcome in ("", Outcome.UNDER_CONSIDERATION)]
        relayed_for = sorted({i.group for i in items if i.group})
        opening = [_("Thank you for taking part in “%(title)s” (%(date)s). This is what %(organisation)s did "
                     "with what you told us.") % {"title": engagement.title, "date": _date(engagement.ends_on),
                                                  "organisation": organisation.name}]
        if relayed_for:
            opening.append(_("You passed on to us what %(groups)s told you. This letter says what became of "
                             "their words too: please pass it on to them, as you agreed with them, without "
                             "naming anyone.") % {"groups": ", ".join(relayed_for)})
        sections = [
            LetterSection(heading, group)
            for heading, group in (
                (_("What we did"), done),
                (_("What we did not do, and why"), not_done),
                (_("Still open"), still_open),
            )
            if group
        ]
        closing = []
        if not_done or any(i.outcome == Outcome.PARTLY_ADOPTED for i in done):
            closing.append(_("Not everything you told us could be adopted, but everything was considered."))
        if reply_to and reply_to == organisation.feedback_reply_to:
            closing.append(_("If anything here is wrong, or you would like to talk about it, write to us at "
                             "%(address)s, or contact us through the channel you prefer.") % {"address": reply_to})
        elif reply_to:
            closing.append(_("If anything here is wrong, or you would like to talk about it, write to %(name)s at "
                             "%(address)s, or contact us through the channel you prefer.")
                           % {"name": owner_name, "address": reply_to})
        else:
            closing.append(_("If anything here is wrong, or you would like to talk about it, contact us through "
                             "the channel you prefer."))
        content = ReportContent(
            language=language,
            direction=direction(language),
            subject=_("What became of your input: %(title)s") % {"title": engagement.title},
            body="",
            greeting=_("Dear %(name)s,") % {"name": addressee},
            opening=opening,
            personal_note=note,
            sections=sections,
            closing=closing,
            signature=[owner_name, organisation.name],
            reply_to=reply_to,
            heard=items,
            done=done,
            not_done=not_done,
            still_open=still_open,
            covers_decisions_until=max((i.decided_at for i in inputs if i.decided_at), default=None),
            relayed_for=relayed_for,
        )
        content.digest = _digest(content)
        content.body = render_to_string("engagements/feedback/letter.txt", {"letter": content})
        content.html = render_to_string("engagements/feedback/letter.html", {"letter": content})
    return content


def build_report(
    participation: Participation, *, language: str | None = None, addressee: str | None = None,
    use_translation: bool = True,
) -> ReportContent:
    """Assemble the letter: each input once, with what we decided and why, and what is still open.

    A proxy's letter also covers what it relayed for affected groups, and asks it to pass that part on. The
    owner's personal note (LetterDraft) goes in; a human translation the owner attached replaces the letter
    while it still matches what the letter says.

    `addressee` replaces the greeting's name in previews for viewers who see the person by pseudonym.
    """
    language = language or language_for(participation)
    draft = _draft(participation)
    content = _written(participation, language=language, addressee=addressee or participation.stakeholder.name,
                       note=draft.personal_note if draft else "")
    content.wanted_language = untranslated_preference(participation)
    if not (use_translation and draft and draft.translation):
        return content
    if draft.translation_of != content.digest:
        content.translation_outdated = True
        return content
    translated_language = draft.translation_language
    translated = ReportContent(
        language=translated_language,
        direction=direction(translated_language),
        subject=content.subject,
        body=draft.translation.strip() + "\n",
        personal_note=content.personal_note,
        reply_to=content.reply_to,
        heard=content.heard, done=content.done, not_done=content.not_done, still_open=content.still_open,
        covers_decisions_until=content.covers_decisions_until,
        relayed_for=content.relayed_for,
        wanted_language=content.wanted_language,
        translated=True,
        original=content,
        digest=content.digest,
    )
    translated.html = render_to_string("engagements/feedback/letter.html", {"letter": translated})
    return translated


def letter_document(content: ReportContent, *, organisation, stylesheet: str = "") -> str:
    """The letter as a whole HTML document: the email's HTML part, and the source of its PDF."""
    document = render_to_string("engagements/feedback/letter_document.html", {
        "letter": content, "organisation": organisation})
    if not stylesheet:
        return document
    # Mail programs load no stylesheet, so the email carries its own. Added here rather than in the template:
    # templates hold no inline style (pages are served under a strict Content-Security-Policy), and this
    # document is never served as a page.
    return document.replace("</head>", f"<style>{stylesheet}</style>\n</head>", 1)


def letter_pdf(content: ReportContent, *, organisation) -> bytes:
    """The letter as a PDF (WeasyPrint, with the published reports' approach: static stylesheet, no inline style)."""
    from django.conf import settings
    from weasyprint import HTML

    from rightsloop.oversight.packs import print_stylesheet

    document = HTML(string=letter_document(content, organisation=organisation),
                    base_url=settings.RIGHTSLOOP_BASE_URL).render(stylesheets=[print_stylesheet("css/letter.css")])
    return document.write_pdf()
