"""The security documentation says what the product does: checked where a claim can be read from the code."""

import re
from pathlib import Path

from django.conf import settings

from rightsloop.accounts.roles import ROLE_CAPABILITIES, Capability, Role

DOCS = Path(__file__).resolve().parents[3] / "docs"
ROLE_COLUMNS = (Role.ADMIN, Role.HR_LEAD, Role.DECISION_MAKER, Role.BOARD, Role.AUDITOR)


def documented_capabilities() -> dict[str, set[str]]:
    """Who holds each capability, as the table in docs/security/x2-access.md draws it."""
    text = (DOCS / "security" / "x2-access.md").read_text()
    held: dict[str, set[str]] = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        names = re.findall(r"`([a-z_]+\.[a-z_]+)`", cells[0]) if line.startswith("| `") else []
        if not names or len(cells) != 1 + len(ROLE_COLUMNS):
            continue
        # "`a` / `b`" rows give each capability its own side of every "x / y" cell.
        paired = " / " in re.sub(r"\(.*?\)", "", cells[0]) and len(names) == 2
        for index, name in enumerate(names):
            held[name] = {
                role for role, cell in zip(ROLE_COLUMNS, cells[1:], strict=True)
                if "✓" in (cell.split("/")[index] if paired and "/" in cell else cell)
            }
    return held


def test_the_capability_table_matches_the_roles():
    documented = documented_capabilities()
    capabilities = [value for name, value in vars(Capability).items() if name.isupper()]
    actual = {capability: {str(role) for role in ROLE_COLUMNS if capability in ROLE_CAPABILITIES[role]}
              for capability in capabilities}
    assert set(documented) == set(actual), "every capability has one row, and no row names another"
    assert {name: sorted(roles) for name, roles in documented.items()} == {
        name: sorted(roles) for name, roles in actual.items()}


def test_the_board_reads_the_risk_register_and_the_docs_say_so():
    assert Capability.RISKS_VIEW in ROLE_CAPABILITIES[Role.BOARD]
    for path in (DOCS / "security.md", DOCS / "security" / "x2-access.md"):
        text = " ".join(path.read_text().split())
        assert "board sees only metrics" not in text.lower() and "board members see only" not in text, path


def test_the_documented_sqlite_durability_is_the_settings_one():
    sqlite = settings.DATABASES["default"] if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") else None
    init = (sqlite or {}).get("OPTIONS", {}).get("init_command", "")
    if not init:  # the suite's own database may be PostgreSQL: read the base settings' choice instead
        init = (Path(settings.BASE_DIR) / "config" / "settings" / "base.py").read_text()
    (mode,) = set(re.findall(r"PRAGMA synchronous=(\w+);", init))
    durability = " ".join((DOCS / "security" / "x6-durability.md").read_text().split())
    assert f"The settings run SQLite in WAL mode with `synchronous={mode}`" in durability
    assert f"SQLite commits with `synchronous={mode}`" in " ".join((DOCS / "security.md").read_text().split())
