"""What the deadline part of the grievances app adds to the site registry."""


def register() -> None:
    pass
