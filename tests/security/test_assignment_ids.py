"""Assignment ids in URLs are unguessable, and knowing one gives nobody else any power over it."""

import json
import uuid
from typing import Any

import numpy as np
import pytest
from django.test import Client

from accounts.models import User
from accounts.services.api_tokens import issue_api_token
from accounts.services.users import grant_role, set_local_account
from campaigns.assignment import next_assignment, skip_assignment
from campaigns.assignment.tallies import recount_annotators
from campaigns.models import Annotator, Assignment, Judgement, Record
from campaigns.services.annotators import join_campaign
from tests.campaigns.engine import annotators, lease, live_campaign

FORM = {"q-rank-0": "1", "q-rank-1": "2"}
BODY = {"answers": {"rank": [0, 1]}, "active_ms": 4000}


def test_public_ids_are_random_version_4_uuids_that_never_repeat(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=20, overlap=10)
    ids: list[uuid.UUID] = []
    for annotator in annotators(campaign, 10):
        for _ in range(20):
            assignment = next_assignment(annotator=annotator)
            assert isinstance(assignment, Assignment)
            ids.append(assignment.public_id)
            assert skip_assignment(assignment=assignment)
    assert len(ids) == 200 and len(set(ids)) == 200
    assert {(u.version, u.variant) for u in ids} == {(4, uuid.RFC_4122)}
    # 122 random bits: each is set in about half of the ids. A counter, a clock or an id
    # squeezed into a UUID leaves some bits (the high ones, at least) nearly constant.
    fixed = (0xF << 76) | (0x3 << 62)  # the version and variant bits
    bits = np.array([[(u.int >> b) & 1 for b in range(128)] for u in ids])
    shares = bits.mean(axis=0)
    random_bits = [b for b in range(128) if not (fixed >> b) & 1]
    skewed = [b for b in random_bits if not 0.3 < shares[b] < 0.7]
    assert skewed == [], f"bits that are not random across 200 ids: {skewed}"


def test_public_ids_do_not_follow_the_order_of_the_leases(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=30, overlap=1)
    (annotator,) = annotators(campaign, 1)
    numbers = []
    for _ in range(30):
        assignment = lease(annotator)
        numbers.append(assignment.public_id.int)
        skip_assignment(assignment=assignment)
    assert numbers != sorted(numbers) and numbers != sorted(numbers, reverse=True)
    assert len({b - a for a, b in zip(numbers, numbers[1:], strict=False)}) == len(numbers) - 1


def test_public_ids_are_not_derived_from_the_record_the_annotator_or_the_seed(
    make_campaign,
) -> None:
    """Leasing the same record to the same annotator, at the same position and with the same
    engine seed, twice: an id computed from any of these would come back."""
    campaign = live_campaign(make_campaign, regular=1, overlap=1)
    (annotator,) = annotators(campaign, 1)
    first = lease(annotator, seed=7)
    Assignment.objects.filter(pk=first.pk).delete()
    Record.objects.update(filled=0)
    recount_annotators([annotator.pk])  # its counters forget the deleted lease too
    second = lease(annotator, seed=7)
    assert (second.record_id, second.position) == (first.record_id, first.position)
    assert second.public_id != first.public_id
    ids = {first.public_id, second.public_id}
    for number in (first.pk, second.pk, first.record_id, annotator.pk, annotator.user_id):
        assert uuid.UUID(int=number) not in ids
        assert not {u.hex.lstrip("0") for u in ids} & {f"{number:x}", str(number)}


def _database() -> dict[str, list[Any]]:
    return {
        "assignments": list(Assignment.objects.order_by("pk").values()),
        "judgements": list(Judgement.objects.order_by("pk").values()),
        "records": list(Record.objects.order_by("pk").values("pk", "filled")),
        "annotators": list(Annotator.objects.order_by("pk").values("pk", "standing")),
    }


@pytest.fixture
def victim_lease(make_campaign) -> Assignment:
    """A record leased by one annotator, in a campaign where others take part too."""
    campaign = live_campaign(make_campaign, regular=4, slug="live", overlap=3)
    victim = User.objects.create(username="victim")
    return lease(join_campaign(user=victim, campaign=campaign))


def _intruder(kind: str, assignment: Assignment, make_campaign) -> User:
    """Someone who is not the assignment's annotator."""
    if kind == "other campaign":
        user = User.objects.create(username="elsewhere")
        lease(join_campaign(user=user, campaign=live_campaign(make_campaign, slug="other")))
        return user
    user = User.objects.create(username=kind.replace(" ", "-"))
    grant_role(user=user, role="annotator" if kind == "fellow annotator" else kind)
    if kind == "fellow annotator":
        lease(join_campaign(user=user, campaign=assignment.campaign))  # holds a lease of its own
    return user


INTRUDERS = ["fellow annotator", "other campaign", "moderator", "organizer"]


@pytest.mark.parametrize("kind", INTRUDERS)
def test_someone_elses_task_page_submit_and_skip_are_404_and_change_nothing(
    victim_lease: Assignment, make_campaign, kind: str
) -> None:
    client = Client()
    client.force_login(_intruder(kind, victim_lease, make_campaign))
    before = _database()
    path = f"/a/{victim_lease.public_id}/"
    assert client.get(path).status_code == 404
    assert client.post(path, FORM).status_code == 404
    assert client.post(path + "skip/").status_code == 404
    assert _database() == before
    # The same requests from the annotator who holds the lease work: the 404s are about whose
    # assignment it is, not about the form.
    owner = Client()
    owner.force_login(victim_lease.annotator.user)
    assert owner.get(path).status_code == 200
    assert owner.post(path, FORM).status_code == 302
    assert Judgement.objects.get().assignment_id == victim_lease.pk


def _api_post(path: str, token: str, body: dict[str, Any] | None = None) -> Any:
    return Client().post(
        path,
        json.dumps(body or {}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def _token_from_the_api(username: str, password: str) -> str:
    body = {"username": username, "password": password}
    response = Client().post(
        "/api/v1/auth/token", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return str(response.json()["token"])


@pytest.mark.parametrize("kind", INTRUDERS)
def test_someone_elses_assignment_cannot_be_submitted_or_skipped_through_the_api(
    victim_lease: Assignment, make_campaign, kind: str
) -> None:
    intruder = _intruder(kind, victim_lease, make_campaign)
    set_local_account(username=intruder.username, secret="intruder-secret-0123456789")
    token = _token_from_the_api(intruder.username, "intruder-secret-0123456789")
    before = _database()
    base = f"/api/v1/assignments/{victim_lease.public_id}"
    submitted = _api_post(f"{base}/submit", token, BODY)
    assert (submitted.status_code, submitted.json()) == (404, {"error": "no such assignment"})
    assert _api_post(f"{base}/skip", token).status_code == 404
    assert _database() == before
    # The holder's own token, with the same body, is accepted.
    owner_token = issue_api_token(user=victim_lease.annotator.user)
    assert _api_post(f"{base}/submit", owner_token, BODY).status_code == 201
    assert Judgement.objects.get().assignment_id == victim_lease.pk


def test_a_404_for_someone_elses_id_looks_like_one_for_an_id_that_does_not_exist(
    victim_lease: Assignment, make_campaign
) -> None:
    """Nothing tells an intruder that a guessed id exists."""
    token = issue_api_token(user=_intruder("fellow annotator", victim_lease, make_campaign))
    answers = [
        _api_post(f"/api/v1/assignments/{public_id}/submit", token, BODY)
        for public_id in (victim_lease.public_id, uuid.uuid4())
    ]
    assert [(r.status_code, r.content) for r in answers[:1]] == [
        (r.status_code, r.content) for r in answers[1:]
    ]
