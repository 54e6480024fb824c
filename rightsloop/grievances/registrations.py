"""What the grievances app adds to the site: menu, dashboard panel, schedules, subject data, retention, portal.

Each part of the app adds its own lines to `register()`.
"""

from rightsloop.core.registry import site  # noqa: F401


def register() -> None:
    pass
