"""Create the owner and application roles on PostgreSQL and grant them (docs/security/x3-audit.md)."""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction

from rightsloop.core import database_roles


class Command(BaseCommand):
    help = (
        "Create the PostgreSQL OWNER role (owns the tables, runs migrations through DATABASE_OWNER_URL) and the "
        "APPLICATION role (reads and writes rows; no superuser, owns nothing, cannot change audit rows), hand "
        "the existing tables to the owner and grant the application role. Run it as a superuser through "
        "DATABASE_URL, or print the SQL with --print. Passwords come from RIGHTSLOOP_DB_OWNER_PASSWORD and "
        "RIGHTSLOOP_DB_APP_PASSWORD (never the command line). Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--owner", default="rightsloop_owner", help="The owner role (default rightsloop_owner).")
        parser.add_argument("--app", default="rightsloop_app", help="The application role (default rightsloop_app).")
        parser.add_argument("--print", action="store_true", dest="print_only",
                            help="Print the SQL instead of running it (passwords left out).")

    def handle(self, *args, owner: str, app: str, print_only: bool, **options):
        if owner == app:
            raise CommandError("The owner and the application role must be two different roles.")
        if connection.vendor != "postgresql":
            raise CommandError("Database roles are a PostgreSQL matter: DATABASE_URL names a "
                               f"{connection.vendor} database.")
        passwords = {} if print_only else {
            "owner_password": os.environ.get("RIGHTSLOOP_DB_OWNER_PASSWORD", ""),
            "app_password": os.environ.get("RIGHTSLOOP_DB_APP_PASSWORD", ""),
        }
        database = connection.settings_dict["NAME"]
        statements = [
            *database_roles.role_statements(owner=owner, app=app, **passwords),
            *database_roles.ownership_statements(owner=owner, database=database),
            *database_roles.grant_statements(owner=owner, app=app, database=database),
        ]
        if print_only:
            self.stdout.write("\n".join(f"{statement};" for statement in statements))
            return
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                if not cursor.fetchone()[0]:
                    raise CommandError("Run this as a PostgreSQL superuser (DATABASE_URL), or print the SQL "
                                       "with --print and hand it to whoever administers the server.")
                for statement in statements:
                    cursor.execute(statement)
        except DatabaseError as error:
            raise CommandError(f"PostgreSQL refused: {error}") from None
        self.stdout.write(self.style.SUCCESS(
            f"Roles ready in database {database}: {owner} owns the tables and runs migrations "
            f"(DATABASE_OWNER_URL); {app} is what the application connects as (DATABASE_URL)."
        ))
