"""Send a consultation's loop-closure messages in the foreground, with a progress line (or resume a run)."""

import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from rightsloop.accounts.models import Membership
from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer

from ...actions import outcomes as actions
from ...models import Consultation, MessageRun


class Command(BaseCommand):
    help = ("Send one message to every respondent of a consultation who left an address and agreed to hear the "
            "outcome, never twice to one address. Ctrl-C stops it; --resume RUN_ID carries on.")

    def add_arguments(self, parser):
        parser.add_argument("consultation_id", type=int)
        parser.add_argument("--resume", type=int, metavar="RUN_ID", help="Resume this interrupted run.")
        parser.add_argument("--as", dest="as_email", metavar="EMAIL", required=True,
                            help="Act as this member of the consultation's organisation (it must be allowed to "
                                 "send feedback); the audit log names them.")
        parser.add_argument("--batch-size", type=int, default=actions.BATCH_SIZE)
        parser.add_argument("--connections", type=int, default=1,
                            help="Connections to the mail server used at once (an SMTP relay answers each "
                                 "command; a few connections keep it busy). Default 1.")

    def handle(self, *args, consultation_id, resume, as_email, batch_size, connections, **options):
        consultation = Consultation.objects.select_related("organisation", "engagement").filter(
            pk=consultation_id).first()
        if consultation is None:
            raise CommandError(f"No consultation {consultation_id}.")
        viewer = self._viewer(consultation, as_email)
        try:
            if resume:
                run = MessageRun.objects.filter(pk=resume, consultation=consultation).first()
                if run is None:
                    raise CommandError(f"Consultation {consultation_id} has no message run {resume}.")
                run = actions.resume_sending(run=run, by=viewer, background=False)
            else:
                run = actions.start_sending(consultation=consultation, by=viewer, background=False)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        except PermissionDenied as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Run {run.pk}: {run.total} addresses to write to.")
        started = time.monotonic()
        handled_before = run.sent + run.failed

        def show(progress):
            elapsed = max(time.monotonic() - started, 1e-6)
            done = progress.sent + progress.failed
            rate = (done - handled_before) / elapsed
            left = (progress.total - done) / rate if rate else 0
            line = (f"\r{done}/{progress.total} handled ({progress.sent} sent, {progress.failed} failed) "
                    f"{rate:,.0f}/s, about {left:,.0f} s left")
            self.stdout.write(line, ending="")
            if hasattr(self.stdout, "flush"):
                self.stdout.flush()

        try:
            run = actions.deliver(run_id=run.pk, batch_size=batch_size, connections=max(1, min(connections, 16)),
                                  on_progress=show)
        except KeyboardInterrupt:
            self.stdout.write("")
            raise CommandError(f"Interrupted. Resume with --resume {run.pk}.") from None
        self.stdout.write("")
        elapsed = time.monotonic() - started
        handled = run.sent + run.failed - handled_before
        if getattr(run, "stop_reason", ""):
            raise CommandError(f"{run.stop_reason} Resume with --resume {run.pk}.")
        self.stdout.write(f"Done: {run.sent} sent, {run.failed} failed in {elapsed:.1f} s "
                          f"({handled / max(elapsed, 1e-6):,.0f} messages/s).")

    def _viewer(self, consultation: Consultation, email: str) -> Viewer:
        membership = (Membership.objects.active().select_related("user", "organisation")
                      .filter(organisation=consultation.organisation, user__email__iexact=email.strip()).first())
        if membership is None:
            raise CommandError(f"{email} is not an active member of {consultation.organisation}.")
        viewer = Viewer.from_membership(membership)
        if not viewer.can(Capability.FEEDBACK_SEND):
            raise CommandError(f"{email}'s role cannot send messages to respondents.")
        return viewer
