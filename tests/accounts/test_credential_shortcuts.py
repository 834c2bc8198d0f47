"""The shortcuts that make 20,000 accounts at once affordable give what the slow ways give."""

from django.contrib.auth.hashers import is_password_usable, make_password
from django.urls import reverse

from accounts.credentials import new_token, unusable_password
from accounts.services.provisioning import _login_paths


def test_an_unusable_password_looks_like_djangos_and_is_never_the_same() -> None:
    django_style = make_password(None)
    ours = [unusable_password() for _ in range(100)]
    assert all(not is_password_usable(p) for p in ours)
    assert {len(p) for p in ours} == {len(django_style)}
    assert {p[0] for p in ours} == {django_style[0]}
    assert len(set(ours)) == 100


def test_login_paths_are_what_reverse_gives_for_each_token(db) -> None:
    tokens = {i: new_token() for i in range(200)}
    tokens[200] = "TOKEN-in-the-token_TOKEN"
    expected = {i: reverse("accounts:token_login", args=[t]) for i, t in tokens.items()}
    assert _login_paths(tokens) == expected
