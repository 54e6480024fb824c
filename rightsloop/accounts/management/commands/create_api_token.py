from django.core.management.base import BaseCommand, CommandError

from rightsloop.accounts.actions import issue_api_token
from rightsloop.accounts.models import Membership


class Command(BaseCommand):
    help = (
        "Print a new API bearer token for USERNAME (in their only, or the named, organisation); it expires "
        "after --days days."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--organisation", help="Organisation short name, if the user has several.")
        parser.add_argument("--name", default="command line", help="What the token is for.")
        parser.add_argument(
            "--days", type=int, default=None,
            help="Days until the token expires (default and most: RIGHTSLOOP_API_TOKEN_DAYS).",
        )

    def handle(self, *args, username, organisation, name, days, **options):
        memberships = Membership.objects.active().filter(user__username=username, user__is_active=True)
        if organisation:
            memberships = memberships.filter(organisation__slug=organisation)
        found = list(memberships.select_related("organisation", "user")[:2])
        if not found:
            raise CommandError(f"No active membership for user {username!r}.")
        if len(found) > 1:
            raise CommandError("The user belongs to several organisations: pass --organisation.")
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.")
        token, raw = issue_api_token(membership=found[0], name=name, by=None, days=days)
        self.stdout.write(raw)
        self.stderr.write(f"Expires {token.expires_at:%Y-%m-%d %H:%M} UTC.")
