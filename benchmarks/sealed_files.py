#!/usr/bin/env python
"""How fast files are sealed and read back (core.sealed_files), and how much memory that takes.

Seals a file of random bytes under a scratch organisation's key, reads it back in 1 MiB reads, then reads 4 KiB
at 200 random places (as an XLSX reader seeks), in a scratch SQLite database and MEDIA_ROOT removed afterwards.

    python benchmarks/sealed_files.py              # 512 MiB
    python benchmarks/sealed_files.py --mib 2048   # the largest upload the import takes by default

Sealing includes the fsync of the written file. See docs/security.md (X1, files at rest).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=512)
    arguments = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="rightsloop-sealed-files-"))
    try:
        os.environ.update(DJANGO_SETTINGS_MODULE="config.settings.test", RIGHTSLOOP_VAR_DIR=str(scratch),
                          DATABASE_URL=f"sqlite:///{scratch / 'bench.sqlite3'}")
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        measure(arguments.mib)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def measure(mib: int) -> None:
    from django.conf import settings

    from rightsloop.core import sealed_files
    from rightsloop.core.models import Organisation

    organisation = Organisation.objects.create(slug="bench", name="Bench")
    size, block = mib << 20, os.urandom(1 << 20)
    name = sealed_files.file_name("consultation-imports", organisation.pk)
    started = time.perf_counter()
    sealed_files.write_sealed(Path(settings.MEDIA_ROOT), name, (block for _ in range(mib)))
    sealing = time.perf_counter() - started
    stored = (Path(settings.MEDIA_ROOT) / name).stat().st_size
    started, read = time.perf_counter(), 0
    with sealed_files.sealed_storage().open(name) as opened:
        while data := opened.read(1 << 20):
            read += len(data)
        reading = time.perf_counter() - started
        generator = random.Random(1)
        started = time.perf_counter()
        for _ in range(200):
            opened.seek(generator.randrange(size))
            opened.read(4096)
        seeking = (time.perf_counter() - started) / 200
    assert read == size
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{mib} MiB: sealed in {sealing:.2f} s ({mib / sealing:.0f} MiB/s), read in {reading:.2f} s "
          f"({mib / reading:.0f} MiB/s); {stored - size} bytes of overhead ({(stored - size) / size:.4%}); "
          f"a random 4 KiB read {seeking * 1000:.2f} ms; peak memory {peak:.0f} MiB")


if __name__ == "__main__":
    main()
