"""Erase again everyone the erasure log names: run it after restoring a backup older than an erasure."""

from pathlib import Path

from django.core.management.base import BaseCommand

from rightsloop.stakeholders.actions import replay_erasures
from rightsloop.stakeholders.subjects import erasure_log_path, read_erasure_log


class Command(BaseCommand):
    help = "Re-apply every erasure in the erasure log (default: the configured log). Safe to run any number of times."

    def add_arguments(self, parser):
        parser.add_argument("--log", help="Path of the erasure log (JSON lines).")

    def handle(self, *args, log=None, **options):
        path = Path(log) if log else erasure_log_path()
        entries = read_erasure_log(path)
        erased = replay_erasures(entries=entries)
        self.stdout.write(f"{len(entries)} erasure(s) in {path}; {erased} person(s) erased again.")
