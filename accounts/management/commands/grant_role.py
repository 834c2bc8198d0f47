"""Give a user a role: organizer (admin), moderator (no admin) or plain annotator."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.roles import ROLES
from accounts.services.users import grant_role


class Command(BaseCommand):
    help = "Make a user an organizer, a moderator or a plain annotator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", choices=ROLES)

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user named {options['username']!r}")
        grant_role(user=user, role=options["role"])
        self.stdout.write(f"{user.username} is now {options['role']}")
