"""Gold accuracy, agreement with the others and the random-labeling test (no database)."""

import numpy as np

from scoring.metrics.evidence import collect_evidence, plurality
from tests.scoring.crowds import crowd

CAREFUL, RANDOM = 0.9, 1 / 3


def test_careful_people_agree_more_than_chance_and_random_ones_do_not() -> None:
    judgements, codes, _ = crowd([CAREFUL] * 6 + [RANDOM] * 2, records=400)
    found = collect_evidence(judgements, [codes])
    kappa = (found.agreement - found.agreement_chance) / (found.shared - found.agreement_chance)
    assert kappa[:6].min() > 0.4
    assert np.abs(kappa[6:]).max() < 0.15


def test_gold_answers_are_counted_with_their_chance_level() -> None:
    judgements, codes, _ = crowd([1.0, 1.0, 1.0], records=100, per_record=3, gold_every=10)
    found = collect_evidence(judgements, [codes])
    assert found.gold_seen.tolist() == [10, 10, 10]
    assert found.gold_correct.tolist() == [10, 10, 10]
    assert (found.gold_chance < 10).all()


def test_the_random_test_clears_careful_people_and_not_random_ones() -> None:
    judgements, codes, _ = crowd([CAREFUL] * 6 + [RANDOM] * 3, records=400)
    p = collect_evidence(judgements, [codes]).random_p_values()
    assert p[:6].max() < 1e-4
    assert p[6:].min() > 0.01


def test_someone_who_always_gives_the_same_answer_is_never_cleared() -> None:
    judgements, codes, _ = crowd([CAREFUL] * 5 + [None], records=300)
    p = collect_evidence(judgements, [codes]).random_p_values()
    assert p[5] == 1.0


def test_the_plurality_leaves_the_item_itself_out() -> None:
    judgements, codes, truth = crowd([1.0, 1.0, 1.0], records=20)
    consensus = plurality(codes, judgements)
    assert (consensus == truth[judgements.record]).all()


def test_excluded_judgements_are_no_reference_for_the_others() -> None:
    judgements, codes, _ = crowd([CAREFUL] * 4 + [RANDOM] * 2, records=300)
    everyone = collect_evidence(judgements, [codes])
    honest_only = judgements.__class__(
        **{**judgements.__dict__, "in_reference": judgements.annotator < 4}
    )
    cleaned = collect_evidence(honest_only, [codes])
    share = cleaned.agreement[:4] / cleaned.shared[:4]
    assert (share > everyone.agreement[:4] / everyone.shared[:4]).all()
