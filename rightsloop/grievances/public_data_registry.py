"""What the grievance mechanism adds to the public report (O2) and the open data (O3): its tables
(public_data.py), small counts hidden by disclosure.tables."""


def register() -> None:
    from rightsloop.core.registry import site

    from .public_data import TABLES

    for table in TABLES:
        site.add_public_table(table)
