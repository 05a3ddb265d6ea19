"""`groundswell create_member`: an already-verified account, for operators' scripts.

The new member's id is printed alone on the last line of output (scripts rely on it):

    id=$(groundswell create_member --email ann@example.org --password - < pw.txt | tail -n1)
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from groundswell.accounts.models import User
from groundswell.accounts.services import member_create


class Command(BaseCommand):
    help = "Create a verified member account. Prints the new member's id on the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument(
            "--password",
            required=True,
            help="The password, or - to read it from the first line of standard input "
            "(keeps it out of the process list and shell history).",
        )
        parser.add_argument("--zip", default="", help="US ZIP code of the member.")
        parser.add_argument("--given-name", default="")
        parser.add_argument("--family-name", default="")
        role = parser.add_mutually_exclusive_group()
        role.add_argument("--staff", action="store_true", help="An organizer (staff role).")
        role.add_argument("--hq", action="store_true", help="An HQ admin (staff role).")

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"]
        if password == "-":  # noqa: S105 (the stdin marker, not a password)
            password = sys.stdin.readline().rstrip("\r\n")
        staff_role = (
            User.StaffRole.HQ
            if options["hq"]
            else User.StaffRole.ORGANIZER
            if options["staff"]
            else User.StaffRole.NONE
        )
        try:
            user = member_create(
                email=options["email"],
                password=password,
                postal_code=options["zip"],
                given_name=options["given_name"],
                family_name=options["family_name"],
                staff_role=staff_role,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        role_label = User.StaffRole(staff_role).label
        self.stdout.write(f"Created {role_label.lower()} {user.email}.")
        self.stdout.write(str(user.pk))
