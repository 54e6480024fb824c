"""manage.py reset_mfa USERNAME: remove a user's authenticator and recovery codes after they lost both."""

from django.core.management.base import BaseCommand, CommandError

from rightsloop.accounts.actions import remove_second_factor
from rightsloop.accounts.models import User


class Command(BaseCommand):
    help = (
        "Remove USERNAME's authenticator app and recovery codes and sign them out everywhere; at their next "
        "sign-in they set up a new app. Check who is asking first (in person or on a video call): whoever "
        "knows the password enrols next."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reason", required=True, help="Why, and how the person's identity was checked.")

    def handle(self, *args, username: str, reason: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        remove_second_factor(user=user, by=None, reason=f"reset by an operator: {reason}")
        self.stdout.write(f"Removed {username}'s second factor; they set up a new authenticator at next sign-in.")
