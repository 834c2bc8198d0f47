"""A display name stands where the username would on the leaderboard: nobody may take one that
passes for another person or for the people who run the campaign."""

import pytest
from django.test import Client

from campaigns.models import Annotator
from tests.campaigns.engine import annotators, live_campaign


@pytest.fixture
def members(make_campaign) -> list[Annotator]:
    campaign = live_campaign(make_campaign, regular=0, overlap=1)
    return annotators(campaign, 2)


def _save_name(annotator: Annotator, name: str):
    client = Client()
    client.force_login(annotator.user)
    url = f"/c/{annotator.campaign.slug}/me/"
    return client.post(url, {"display_name": name, "contact": ""})


@pytest.mark.parametrize("name", ["Moderator", " organizer ", "ADMIN", "Staff"])
def test_a_reserved_name_is_refused(members, name) -> None:
    me, _ = members
    response = _save_name(me, name)
    assert response.status_code == 200 and "reserved" in response.content.decode()
    me.refresh_from_db()
    assert me.display_name == ""


def test_another_accounts_username_is_refused_in_any_case(members) -> None:
    me, other = members
    response = _save_name(me, other.user.username.upper())
    assert response.status_code == 200
    assert "another account&#x27;s username" in response.content.decode()
    me.refresh_from_db()
    assert me.display_name == ""


def test_another_members_display_name_is_refused_whatever_the_spacing(members) -> None:
    me, other = members
    assert _save_name(other, "Ada  Lovelace").status_code == 302
    other.refresh_from_db()
    assert other.display_name == "Ada Lovelace"  # runs of spaces are one space
    response = _save_name(me, " ada lovelace ")
    assert response.status_code == 200 and "already shows this name" in response.content.decode()


def test_my_own_username_and_a_fresh_name_are_fine(members) -> None:
    me, _ = members
    assert _save_name(me, me.user.username).status_code == 302
    assert _save_name(me, "Grace H.").status_code == 302
    me.refresh_from_db()
    assert me.display_name == "Grace H."


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("\u041coderator", "mixes letters of two alphabets (Cyrillic and Latin)"),  # Cyrillic М
        ("Ad\u0430 Lovelace", "mixes letters of two alphabets (Cyrillic and Latin)"),  # Cyrillic а
        ("Mod\u00aderator", "invisible character U+00AD"),  # soft hyphen
        ("\u202eecalevol ada", "invisible character U+202E"),  # right-to-left override
        ("Ada\u200b", "invisible character U+200B"),  # zero-width space
        ("\uff2d\uff4f\uff44\uff45\uff52\uff41\uff54\uff4f\uff52", "reserved"),  # full-width
    ],
)
def test_a_name_that_only_looks_like_another_is_refused(members, name, why) -> None:
    me, _ = members
    response = _save_name(me, name)
    assert response.status_code == 200 and why in response.content.decode()
    me.refresh_from_db()
    assert me.display_name == ""


def test_joiners_do_not_tell_two_names_apart(members) -> None:
    me, other = members
    assert _save_name(other, "Ali\u200dce").status_code == 302
    response = _save_name(me, "ALICE")
    assert response.status_code == 200 and "already shows this name" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("\u5c71\u7530\u305f\u308d\u3046", "\u5c71\u7530\u305f\u308d\u3046"),  # Han + Hiragana
        (
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0645",
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0645",
        ),  # Persian, ZWNJ
        ("\uff34\uff41\uff52\uff4f  2", "Taro 2"),  # full-width letters kept as plain ones
        ("Zo\u00eb \u00c6lfgifu", "Zo\u00eb \u00c6lfgifu"),
    ],
)
def test_names_in_one_script_are_kept_in_plain_form(members, name, kept) -> None:
    me, _ = members
    assert _save_name(me, name).status_code == 302
    me.refresh_from_db()
    assert me.display_name == kept


def test_a_name_that_grows_past_the_limit_in_plain_letters_is_refused(members) -> None:
    me, _ = members
    # U+FDFA is one character that NFKC writes as 18: 80 of them would not fit the column.
    response = _save_name(me, "\ufdfa" * 80)
    assert response.status_code == 200
    assert "longer than 80 characters" in response.content.decode()
    me.refresh_from_db()
    assert me.display_name == ""
