"""A campaign with one row of every model that db/ reads or writes: a user with an API token,
an annotator, records of each kind, a submitted assignment and its judgement."""

from dataclasses import dataclass

import pytest

from accounts.models import ApiToken, User
from accounts.services.api_tokens import issue_api_token
from campaigns.assignment import submit_judgement
from campaigns.models import Annotator, Assignment, Campaign, Judgement
from tests.campaigns.engine import annotators, lease, live_campaign


@dataclass
class Loop:
    campaign: Campaign
    user: User
    token: ApiToken
    annotator: Annotator
    assignment: Assignment
    judgement: Judgement


@pytest.fixture
def loop(make_campaign) -> Loop:
    campaign = live_campaign(make_campaign, regular=2, gold=1, control=1)
    annotator = annotators(campaign, 1)[0]
    user = annotator.user
    issue_api_token(user=user)
    assignment = lease(annotator)
    outcome = submit_judgement(assignment=assignment, answers={"rank": [1, 0], "quality": 4})
    assert outcome.judgement is not None
    assignment.refresh_from_db()
    return Loop(
        campaign=campaign,
        user=user,
        token=ApiToken.objects.get(user=user),
        annotator=annotator,
        assignment=assignment,
        judgement=outcome.judgement,
    )
