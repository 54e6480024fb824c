"""Print everything held about one stakeholder as JSON (a subject access request)."""

import json

from django.core.management.base import BaseCommand, CommandError

from rightsloop.stakeholders.actions import export_subject
from rightsloop.stakeholders.models import Stakeholder


class Command(BaseCommand):
    help = "Print all data about one stakeholder as JSON. The export is recorded in the audit log."

    def add_arguments(self, parser):
        parser.add_argument("stakeholder", help="The stakeholder's id or uid.")

    def handle(self, *args, stakeholder, **options):
        lookup = {"pk": stakeholder} if stakeholder.isdigit() else {"uid": stakeholder}
        try:
            found = Stakeholder.objects.select_related("organisation").get(**lookup)
        except (Stakeholder.DoesNotExist, ValueError) as error:
            raise CommandError(f"No stakeholder {stakeholder!r}.") from error
        self.stdout.write(json.dumps(export_subject(stakeholder=found, by=None), indent=2, ensure_ascii=False))
