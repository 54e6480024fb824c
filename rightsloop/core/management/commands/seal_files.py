"""Seal uploaded files written in clear before files were sealed at rest (consultation imports, briefings).

For every file field stored in sealed storage, a row whose file is still in clear gets a sealed copy under a new
name (its organisation's folder, 0600 in 0700 folders), the row is pointed at it, and the clear file is
overwritten with zeros and removed. Files in clear that no row names are listed, and removed with
--delete-unreferenced. Safe to run again: sealed files are left alone. Run it once after upgrading, with the web
server and the worker stopped.

Overwriting is best effort: on SSDs, copy-on-write file systems and in snapshots or backups taken before, the old
bytes may survive; docs/security.md says so.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePath

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.management.base import BaseCommand
from django.db import models, transaction

from rightsloop.core import sealed_files


def sealed_fields():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField) and isinstance(field.storage, sealed_files.SealedFileStorage):
                yield model, field


def _shred(path: Path) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        remaining = size
        while remaining > 0:
            step = min(remaining, 1 << 20)
            handle.write(bytes(step))
            remaining -= step
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()


class Command(BaseCommand):
    help = "Seal uploaded files still stored in clear under their organisation's key, and remove the clear copies."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only say what would be done.")
        parser.add_argument("--delete-unreferenced", action="store_true",
                            help="Also remove files in clear that no record names.")

    def handle(self, *args, dry_run=False, delete_unreferenced=False, **options):
        root = Path(settings.MEDIA_ROOT)
        sealed = missing = 0
        named: set[str] = set()
        for model, field in sealed_fields():
            for row in model._default_manager.exclude(**{field.name: ""}).order_by("pk").iterator():
                stored = getattr(row, field.name)
                path = root / stored.name
                if not path.is_file():
                    missing += 1
                    self.stderr.write(f"{model._meta.label} #{row.pk}: {stored.name} is missing")
                    continue
                if sealed_files.is_sealed(path):
                    named.add(stored.name)
                    continue
                sealed += 1
                if dry_run:
                    self.stdout.write(f"would seal {stored.name} ({model._meta.label} #{row.pk})")
                    continue
                with path.open("rb") as clear:
                    new_name = field.storage.save(field.generate_filename(row, path.name), File(clear))
                named.add(new_name)
                changes = {field.name: new_name}
                if hasattr(row, "file_name") and not row.file_name:
                    changes["file_name"] = PurePath(stored.name).name[:255]
                with transaction.atomic():
                    model._default_manager.filter(pk=row.pk).update(**changes)
                _shred(path)
                self.stdout.write(f"sealed {stored.name} as {new_name} ({model._meta.label} #{row.pk})")
        unreferenced = 0
        for area in sealed_files.AREAS:
            folder = root / area
            if not folder.is_dir():
                continue
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                name = path.relative_to(root).as_posix()
                if name in named or sealed_files.is_sealed(path):
                    continue
                unreferenced += 1
                if delete_unreferenced and not dry_run:
                    _shred(path)
                    self.stdout.write(f"removed {name}: in clear, and no record names it")
                else:
                    self.stdout.write(f"in clear, and no record names it: {name} (--delete-unreferenced removes it)")
            if not dry_run:
                for path in [folder, *(p for p in folder.rglob("*") if p.is_dir())]:
                    path.chmod(sealed_files.FOLDER_MODE)
        self.stdout.write(f"{sealed} file(s) sealed{' (dry run)' if dry_run else ''}, {unreferenced} unreferenced "
                          f"file(s) in clear, {missing} missing.")
