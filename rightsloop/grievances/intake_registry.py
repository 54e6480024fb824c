"""What the intake part of the grievances app adds to the site registry: nothing yet.

The public pages need no menu entry (they are reached by their address, /g/<organisation-slug>/), the intake has no
scheduled work, and a case's personal data is erased with the case (its key destroyed), which belongs with case
handling: see docs/grievances/intake.md.
"""


def register() -> None:
    pass
