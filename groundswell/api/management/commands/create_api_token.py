"""`groundswell create_api_token --email E [--scope read|write] [--name N]`

Prints the new token on its LAST line, alone: scripts rely on `| tail -n 1`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from groundswell.accounts.models import User
from groundswell.api.models import ApiToken
from groundswell.api.services import api_token_create


class Command(BaseCommand):
    help = "Create an OSDI API token for a staff member and print it (on the last line)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--email", required=True, help="The staff member who owns the token.")
        parser.add_argument("--scope", choices=ApiToken.Scope.values, default=ApiToken.Scope.READ)
        parser.add_argument("--name", default="", help="What the token is for.")

    def handle(self, *args, email: str, scope: str, name: str, **options) -> None:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No member has the email address {email}.")
        try:
            token, secret = api_token_create(
                user=user, scope=scope, name=name or "command line", created_by=None
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            f"Created a {token.scope} API token {token.prefix}… for {user.email}. "
            "It is shown once, below:"
        )
        self.stdout.write(secret)
