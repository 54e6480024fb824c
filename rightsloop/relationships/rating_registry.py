"""What rating rounds (P2) add to the site: menu, schedules, subject data, portal section."""


def register() -> None:
    pass
