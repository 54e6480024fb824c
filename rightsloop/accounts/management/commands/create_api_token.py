from django.core.management.base import BaseCommand, CommandError

from rightsloop.accounts.actions import issue_api_token
from rightsloop.accounts.models import Membership


class Command(BaseCommand):
    help = "Print a new API bearer token for USERNAME (in their only, or the named, organisation)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--organisation", help="Organisation short name, if the user has several.")
        parser.add_argument("--name", default="command line", help="What the token is for.")

    def handle(self, *args, username, organisation, name, **options):
        memberships = Membership.objects.active().filter(user__username=username, user__is_active=True)
        if organisation:
            memberships = memberships.filter(organisation__slug=organisation)
        found = list(memberships.select_related("organisation", "user")[:2])
        if not found:
            raise CommandError(f"No active membership for user {username!r}.")
        if len(found) > 1:
            raise CommandError("The user belongs to several organisations: pass --organisation.")
        _token, raw = issue_api_token(membership=found[0], name=name, by=None)
        self.stdout.write(raw)
