"""Dynamic overlap outside submissions: an import of outside judgements and a moderation action
leave every record they touch disputed or settled as if its judgements had been submitted one
by one (campaigns.assignment.settle)."""

import pytest
from django.contrib.auth import get_user_model

from campaigns.assignment import submit_judgement
from campaigns.models import Annotator, Assignment, Campaign, Record
from campaigns.services.imports import import_responses
from campaigns.services.standing import moderate
from tests.campaigns.engine import annotators, lease, live_campaign, unavailable
from tests.conftest import jsonl

# overlap 2, max_overlap 5, settle at 0.85: two unmeasured annotators (p = 0.75) who agree
# settle a record (posterior 0.9); 2 to 1 does not (0.75); 3 to 1 does (0.9).
DYNAMIC = {"overlap": 2, "max_overlap": 5, "settle_posterior": 0.85}


@pytest.fixture
def moderator(db):
    return get_user_model().objects.create(username="mod")


def dynamic(make_campaign, slug: str = "c1", regular: int = 1) -> Campaign:
    return live_campaign(make_campaign, slug=slug, regular=regular, **DYNAMIC)


def ranked(best: int) -> dict:
    return {"rank": [best, 1 - best]}  # canonical positions


def judge(person: Annotator, best: int) -> Assignment:
    held = lease(person)
    shown = held.display_order
    answer = [shown.index(best), shown.index(1 - best)]
    assert submit_judgement(assignment=held, answers={"rank": answer}).kept
    return held


def state(campaign: Campaign, external_id: str = "r0") -> tuple[int, bool]:
    record = Record.objects.get(campaign=campaign, external_id=external_id)
    return record.filled, record.disputed


# Every sequence of best responses the engine can serve one record (it goes on only while the
# record is disputed), and whether the record ends disputed.
SEQUENCES = {
    "0": False,  # below the overlap
    "00": False,
    "01": True,
    "011": True,
    "0111": False,
    "0101": True,
    "01010": False,  # at max_overlap
}


@pytest.mark.parametrize("bests", SEQUENCES)
def test_an_import_settles_a_record_as_the_same_submissions_would(make_campaign, bests) -> None:
    served = dynamic(make_campaign, slug="served")
    for person, best in zip(annotators(served, len(bests)), bests, strict=True):
        judge(person, int(best))
    assert state(served) == (len(bests), SEQUENCES[bests])
    imported = dynamic(make_campaign, slug="imported")
    rows = [
        {"record": "r0", "annotator": f"p{i}", "answers": ranked(int(best))}
        for i, best in enumerate(bests)
    ]
    import_responses(campaign=imported, source=jsonl(*rows))
    assert state(imported) == state(served)


def test_a_record_disputed_by_an_import_is_served_and_a_later_import_settles_it(
    make_campaign,
) -> None:
    campaign = dynamic(make_campaign, regular=2)
    first = [
        {"record": "r0", "annotator": "p0", "answers": ranked(0)},
        {"record": "r0", "annotator": "p1", "answers": ranked(1)},
        {"record": "r1", "annotator": "p0", "answers": ranked(0)},
        {"record": "r1", "annotator": "p1", "answers": ranked(0)},
    ]
    import_responses(campaign=campaign, source=jsonl(*first))
    assert (state(campaign, "r0"), state(campaign, "r1")) == ((2, True), (2, False))
    (newcomer,) = annotators(campaign, 1)
    held = lease(newcomer)
    assert held.record.external_id == "r0", "the disputed record is served again"
    assert state(campaign, "r0") == (3, False), "its one extra lease is out"
    assert submit_judgement(assignment=held, answers={"rank": held.display_order}).kept
    # The lease answered canonical response 0 first: 2 to 1, disputed again.
    assert state(campaign, "r0") == (3, True)
    later = [
        {"record": "r0", "annotator": "p2", "answers": ranked(0)},
        {"record": "r0", "annotator": "p3", "answers": ranked(0)},
    ]
    import_responses(campaign=campaign, source=jsonl(*later))
    assert state(campaign, "r0") == (5, False), "at max_overlap: done, however it stands"


def test_an_import_into_a_fixed_overlap_campaign_disputes_nothing(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=1, overlap=2)
    rows = [
        {"record": "r0", "annotator": "p0", "answers": ranked(0)},
        {"record": "r0", "annotator": "p1", "answers": ranked(1)},
    ]
    import_responses(campaign=campaign, source=jsonl(*rows))
    assert state(campaign) == (2, False)


def test_excluding_a_dissenter_settles_the_record(make_campaign, moderator) -> None:
    campaign = dynamic(make_campaign)
    a, b, c, d = annotators(campaign, 4)
    judge(a, 0)
    judge(b, 1)
    judge(c, 0)
    assert state(campaign) == (3, True), "2 to 1"
    moderate(annotator_ids=[b.pk], kind="exclude", reason="random", actor=moderator)
    assert state(campaign) == (2, False), "2 to 0 once b no longer counts"
    assert unavailable(d).reason == "finished"


def test_excluding_part_of_a_majority_disputes_the_record_and_reinstating_settles_it(
    make_campaign, moderator
) -> None:
    campaign = dynamic(make_campaign)
    a, b, c, d, e = annotators(campaign, 5)
    for person, best in ((a, 0), (b, 1), (c, 1), (d, 1)):
        judge(person, best)
    assert state(campaign) == (4, False), "3 to 1"
    moderate(annotator_ids=[d.pk], kind="exclude", reason="bot", actor=moderator)
    assert state(campaign) == (3, True), "2 to 1 once d no longer counts"
    moderate(annotator_ids=[d.pk], kind="reinstate", reason="fine", actor=moderator)
    assert state(campaign) == (4, False)
    moderate(annotator_ids=[d.pk], kind="exclude", reason="bot after all", actor=moderator)
    assert lease(e).record.external_id == "r0", "the disputed record is served again"


def test_suspending_the_holder_of_a_disputed_records_extra_lease_reopens_it(
    make_campaign, moderator
) -> None:
    campaign = dynamic(make_campaign)
    a, b, c, d = annotators(campaign, 4)
    judge(a, 0)
    judge(b, 1)
    held = lease(c)
    assert state(campaign) == (3, False), "its one extra lease is out"
    moderate(annotator_ids=[c.pk], kind="suspend", reason="bot", actor=moderator)
    assert state(campaign) == (2, True)
    assert lease(d).record_id == held.record_id
