"""manage.py load_demo: the Kestrel Networks demo organisation, with one sign-in per role."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from rightsloop.accounts.actions import issue_api_token
from rightsloop.accounts.roles import Function, Role
from rightsloop.accounts.viewer import Viewer
from rightsloop.demo import content
from rightsloop.demo.grievances import followed_case_receipt
from rightsloop.demo.loader import (
    DemoConflict,
    build_demo,
    count_demo,
    delete_demo,
    find_demo_organisation,
    hr_lead_membership,
)
from rightsloop.demo.mfa import DemoSecondFactor, ensure_second_factors
from rightsloop.demo.portal import load_portal
from rightsloop.grievances import receipts

ISSUED_FOR = "demo (manage.py load_demo)"


class Command(BaseCommand):
    help = (
        "Create the fictional Kestrel Networks demo organisation with stakeholders, engagements, decisions and "
        "feedback, or leave it as it is if it exists; print the demo sign-ins and a fresh API token."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true",
            help="Delete the demo organisation and everything in it first, then create it again.",
        )

    def handle(self, *args, reset: bool, **options):
        today = timezone.localdate()
        organisation = find_demo_organisation()
        existed = organisation is not None
        if organisation is None or reset:
            try:
                # One transaction: if rebuilding fails, the old demo is still there.
                with transaction.atomic():
                    if organisation is not None:
                        delete_demo(organisation)
                    organisation = build_demo(today=today)
            except DemoConflict as conflict:
                raise CommandError(str(conflict)) from None
            if existed:
                self.stdout.write(f"Emptied the demo organisation {content.ORGANISATION_NAME!r}; its audit log stays.")
            self.stdout.write(self.style.SUCCESS(f"Loaded the demo organisation {content.ORGANISATION_NAME!r}."))
        else:
            self.stdout.write(
                f"The demo organisation {content.ORGANISATION_NAME!r} already exists: nothing was added "
                "(use --reset to rebuild it with dates relative to today)."
            )
        membership = hr_lead_membership(organisation)
        if membership is None:
            raise CommandError(
                f"The demo organisation has no active human rights lead {content.HR_LEAD!r}: run with --reset."
            )
        _token, raw_token = issue_api_token(membership=membership, name=ISSUED_FOR, by=None)
        with transaction.atomic():
            factors = {factor.username: factor for factor in ensure_second_factors(organisation)}
        # A fresh portal link on every run, like the token: a link works once and the last one may be spent.
        with transaction.atomic():
            portal_who, portal_url = load_portal(organisation=organisation, hr_lead=Viewer.from_membership(membership))
        # The anonymous grievance followed by receipt: its receipt is stored only hashed, so it is given again
        # (as to a repeated submission) and printed on every run.
        with transaction.atomic():
            followed = followed_case_receipt(organisation)
        self._print_counts(count_demo(organisation, today))
        self._print_sign_ins(raw_token, factors, portal=(portal_who, portal_url), grievance=followed)

    def _print_counts(self, counts) -> None:
        self.stdout.write(
            f"  {counts.members} members, {counts.stakeholders} stakeholders ({counts.consents} consent records), "
            f"{counts.engagements} engagements with {counts.participants} participants,\n"
            f"  {counts.inputs} inputs ({counts.decided} decided), {counts.feedback_reports} feedback reports; "
            f"loops: {counts.closed_loops} closed, {counts.overdue_loops} overdue, "
            f"{counts.due_this_week} due this week;\n"
            f"  {counts.risks} salient risks ({counts.risk_input_links} links to inputs), {counts.mitigations} "
            f"mitigations, {counts.strategic_decisions} strategic decisions, {counts.context_events} context events."
        )

    def _print_sign_ins(self, raw_token: str, factors: dict[str, DemoSecondFactor], *, portal: tuple[str, str],
                        grievance=None) -> None:
        base = settings.RIGHTSLOOP_BASE_URL.rstrip("/")
        rows = []
        for member in content.MEMBERS:
            role = str(Role(member.role).label)
            if member.function:
                role += f" ({Function(member.function).label})"
            rows.append((member.username, role))
        width = max(len(username) for username, _role in rows)
        lines = [
            "",
            "=" * 72,
            f"Rightsloop demo: open {base}/ and sign in with",
            "",
        ]
        lines += [f"  {username.ljust(width)}  {role}" for username, role in rows]
        lines += [
            "",
            f"  password for every demo account: {content.DEMO_PASSWORD}",
            "",
            "Then enter a code from the account's authenticator: add its secret to any authenticator app",
            "(FreeOTP, Aegis, Google or Microsoft Authenticator, 1Password...; the otpauth:// line as a QR code",
            "works too), or print the current code with `oathtool --totp -b SECRET`. Each code works once.",
            "A recovery code also works once, in place of a code.",
            "",
        ]
        for username, _role in rows:
            factor = factors.get(username)
            if factor is None:
                continue
            lines += [
                f"  {username}",
                f"    secret          {factor.secret}",
                f"    otpauth         {factor.otpauth_url}",
                f"    code right now  {factor.code_now} (changes every 30 seconds)",
                f"    recovery codes  {' '.join(factor.recovery_codes)}",
            ]
        lines += [
            "",
            f"API token for {content.HR_LEAD} (human rights team), new on every run and shown only here:",
            f"  {raw_token}",
            f'  curl -H "Authorization: Bearer {raw_token}" {base}/api/v1/engagements',
            "",
            f"Stakeholder portal, as {portal[0]} would open it (the link works once, for 7 days; open it in a",
            "private window: following it ends any staff sign-in in that browser):",
            f"  {portal[1]}",
            "",
        ]
        if grievance is not None:
            case, receipt = grievance
            lines += [
                f"Grievance follow-up, as the anonymous person who raised {case.label} would (a receipt is stored only",
                "hashed: this is the one place it is shown). Open the page and type the receipt:",
                f"  {base}{reverse('grievances-public:follow-up-sign-in', args=[case.organisation.slug])}",
                f"  {receipts.display(receipt)}",
                "",
            ]
        slug = content.ORGANISATION_SLUG
        lines += [
            "Board view, as helena (board member) sees it; last year's public report and the open data, as anyone:",
            f"  {base}{reverse('oversight:board')}",
            f"  {base}{reverse('reports-public:index', args=[slug])}",
            f"  {base}{reverse('open-data:index', args=[slug])}",
            "",
            "Queued feedback email is delivered by the task worker: manage.py db_worker",
            "=" * 72,
        ]
        self.stdout.write("\n".join(lines))
