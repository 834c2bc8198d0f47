"""The project's User, custom from the first migration so that it can grow without pain."""

from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    def __str__(self) -> str:
        return self.username
