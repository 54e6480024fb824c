"""Re-wrap every organisation's data keys under the current key encryption key."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from rightsloop.accounts.devices import reseal_authenticator_secrets
from rightsloop.core import audit, keys, sealing


class Command(BaseCommand):
    help = (
        "Re-wrap every data key under the current RIGHTSLOOP_KEK. Put the new key in RIGHTSLOOP_KEK and the "
        "old one in RIGHTSLOOP_PREVIOUS_KEKS, run this, check verify output, then drop the old key. "
        "Running it again changes nothing."
    )

    def handle(self, *args, **options):
        try:
            with transaction.atomic():
                changed, unchanged = sealing.rewrap_all()
                # Authenticator secrets are sealed under a key derived from the KEK itself, not a data key.
                resealed, _current = reseal_authenticator_secrets()
                audit.record(
                    organisation=None, by=None, action="keys.rotated",
                    summary=f"{changed} data keys re-wrapped, {unchanged} already under {keys.current_kek().key_id}"
                    f"; {resealed} authenticator secrets resealed",
                )
        except sealing.SealingError as error:
            raise CommandError(f"{error}. Is the previous key in RIGHTSLOOP_PREVIOUS_KEKS?") from None
        sealing.forget_cached_keys()
        self.stdout.write(
            f"{changed} data key(s) re-wrapped under {keys.current_kek().key_id}; {unchanged} already were; "
            f"{resealed} authenticator secret(s) resealed."
        )
