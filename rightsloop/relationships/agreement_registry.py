"""What agreements (P1) add to the site: menu, schedules, subject data, portal section."""


def register() -> None:
    pass
