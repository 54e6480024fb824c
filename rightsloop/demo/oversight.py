"""The demo organisation's board oversight (O1): the board's briefings, its reviews of board-level risks, and two
board packs (last quarter and last year).

Written through the oversight and risks actions as the human rights lead and the board member would. One
board-level risk is reviewed, the other not, so the board view flags what the board has still to look at; the
stakeholder session names two people who agreed to be attributed, counted (never named) in the board figures.
Board packs are rendered here, once the figures exist, so the board member finds them ready.
"""

from __future__ import annotations

import datetime

from rightsloop.accounts.viewer import Viewer
from rightsloop.core.periods import Period
from rightsloop.oversight import actions, packs
from rightsloop.oversight.models import BoardPack, BriefingKind
from rightsloop.risks import actions as risk_actions
from rightsloop.risks.models import Risk
from rightsloop.risks.vocabulary import OwnerLevel
from rightsloop.stakeholders.models import Stakeholder

from . import content


def _days(today: datetime.date, offset: int) -> datetime.date:
    return today + datetime.timedelta(days=offset)


def load_oversight(*, viewers: dict[str, Viewer], stakeholders: dict[str, Stakeholder],
                   today: datetime.date) -> dict[str, int]:
    hr_lead, board = viewers[content.HR_LEAD], viewers["helena"]
    briefings = [
        actions.record_briefing(
            held_on=_days(today, -230), kind=BriefingKind.TRAINING,
            topic="The UN Guiding Principles for boards: salience, leverage and remedy",
            attendees=[board.user], given_by="External trainer, business and human rights institute",
            material="Board portal > Training > 2026 UNGP session (slides and reading list)",
            notes="Asked how severity is rated and who decides when a risk goes to the board; asked for the "
                  "escalation rules in writing.", by=hr_lead),
        actions.record_briefing(
            held_on=_days(today, -75), kind=BriefingKind.STAKEHOLDER_SESSION,
            topic="Traders and disability advocates on KestrelPay fraud and accessibility",
            attendees=[board.user], stakeholders=[stakeholders["wanjiku"], stakeholders["otieno"]],
            given_by="Human rights team",
            notes="Heard first-hand how long wallet recovery takes and why the PIN screen timeout locks blind "
                  "users out; asked the product lead for a date for both fixes.", by=hr_lead),
        actions.record_briefing(
            held_on=_days(today, -20), kind=BriefingKind.BRIEFING,
            topic="Ethiopia launch: the risk picture before the market-entry decision", attendees=[board.user],
            given_by="Human rights team and legal", by=hr_lead),
    ]
    board_risks = list(Risk.objects.filter(organisation=board.organisation, owner_level=OwnerLevel.BOARD,
                                           closed_at__isnull=True).order_by("-priority", "id"))
    reviewed = 0
    if board_risks:
        risk_actions.record_board_review(
            risk=board_risks[0], reviewed_on=_days(today, -40),
            note="Keep at board level; asked for the camp-data deletion audit before the next review.", by=board)
        reviewed = 1
    # Two packs the board member finds ready: the quarter just ended and the last full year.
    period = Period.containing(today).previous()
    made = 0
    for wanted in (period, Period(today.year - 1)):
        pack = actions.request_board_pack(period=wanted, by=board)
        packs.render(pack.pk)
        made += 1
    return {"briefings": len(briefings), "board_reviews": reviewed, "board_packs": made}


def delete_oversight(organisation) -> None:
    """The packs' sealed files go with their rows (the rows themselves cascade with the organisation's records)."""
    from rightsloop.core import sealed_files

    for pack in BoardPack.objects.filter(organisation=organisation):
        sealed_files.delete(pack.file)
    BoardPack.objects.filter(organisation=organisation).delete()
