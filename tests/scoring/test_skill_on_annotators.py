"""Each scoring run writes the figures the assignment engine reads onto the annotators."""

from campaigns.models import Annotator
from scoring.models import AnnotatorScore
from scoring.services import score_campaign
from tests.scoring.test_scoring_job import small_campaign  # noqa: F401 (fixture)


def test_a_run_stores_skill_its_lower_bound_and_flags_on_each_annotator(
    small_campaign,  # noqa: F811
) -> None:
    assert not Annotator.objects.filter(campaign=small_campaign, skill__isnull=False).exists()
    assert score_campaign(campaign_id=small_campaign.pk) is not None
    scores = AnnotatorScore.objects.filter(campaign=small_campaign).select_related("annotator")
    assert scores.count() == 3
    for score in scores:
        person = score.annotator
        assert (person.skill, person.skill_low) == (score.skill, score.skill_low)
        assert person.flagged == bool(score.flags)
    skills = {s.annotator.user.username: s.annotator.skill for s in scores}
    assert skills["alice"] is not None and skills["carol"] is not None
    assert skills["alice"] > skills["carol"]
