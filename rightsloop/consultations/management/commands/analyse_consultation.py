"""Run theme discovery (and, with --assign, the assignment to the final themes) in this process, with timings."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from rightsloop.accounts.models import Membership, User
from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer

from ...actions import analysis as runs
from ...models import Consultation, RunState


class Command(BaseCommand):
    help = ("Discover the themes of a consultation (duplicates, campaigns, stance, candidate themes) now; with "
            "--assign, then assign every response to the final themes. Prints the seconds each stage took.")

    def add_arguments(self, parser):
        parser.add_argument("consultation_id", type=int)
        parser.add_argument("--seed", type=int, default=0, help="Seed of the run (same seed, same themes).")
        parser.add_argument("--themes", type=int, default=None, help="Number of themes (default: from the data).")
        parser.add_argument("--assign", action="store_true",
                            help="Assign every response to the final themes from their confirmed examples.")
        parser.add_argument("--as", dest="email", default="",
                            help="Act as this member (the audit log names them); default: the system.")

    def handle(self, *args, consultation_id, seed, themes, assign, email, **options):
        consultation = Consultation.objects.select_related("organisation").filter(pk=consultation_id).first()
        if consultation is None:
            raise CommandError(f"No consultation {consultation_id}.")
        by = self._viewer(email, consultation) if email else None
        self._run("discovery", lambda: runs.start_discovery(
            consultation=consultation, parameters={"seed": seed, "themes": themes}, by=by, enqueue=False),
            runs.run_discovery)
        if assign:
            self._run("assignment", lambda: runs.start_assignment(
                consultation=consultation, seed=seed, by=by, enqueue=False), runs.run_assignment)

    def _viewer(self, email, consultation) -> Viewer:
        user = User.objects.filter(email__iexact=email).first()
        membership = user and Membership.objects.active().filter(
            user=user, organisation=consultation.organisation).select_related("user", "organisation").first()
        if membership is None:
            raise CommandError(f"{email} is not a member of the consultation's organisation.")
        viewer = Viewer.from_membership(membership)
        if not viewer.can(Capability.CONSULTATIONS_ANALYSE):
            raise CommandError(f"{email}'s role does not allow analysing consultations.")
        return viewer

    def _run(self, name, start, work) -> None:
        try:
            run = start()
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"{name} run {run.pk}: {run.parameters}")

        def progress(stage: str, seconds: float) -> None:
            self.stdout.write(f"  {stage:<12} {seconds:9.2f} s")
            self.stdout.flush()

        work(run=run, progress=progress)
        run.refresh_from_db()
        total = sum(run.stage_seconds.values())
        if run.state != RunState.DONE:
            raise CommandError(f"{name} run {run.pk} failed: {run.message}")
        self.stdout.write(self.style.SUCCESS(f"{name} done in {total:.2f} s: {run.message}"))
