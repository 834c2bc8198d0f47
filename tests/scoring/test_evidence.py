"""Gold accuracy, agreement with the others, the skills and the random-labeling test (no
database)."""

from dataclasses import replace

import numpy as np
import pytest

from scoring.metrics.evidence import collect_evidence, plurality, skill_sum
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


def _confusion_items(cells: dict[tuple[int, int], int]) -> tuple[np.ndarray, np.ndarray]:
    """One annotator's (reference, answer) pairs, as one-hot rows over two classes."""
    pairs = [pair for pair, count in cells.items() for _ in range(count)]
    reference, answer = np.array(pairs).T
    return np.eye(2)[reference], np.eye(2)[answer]


def _skill(kind: str, cells: dict[tuple[int, int], int]) -> float:
    reference, answer = _confusion_items(cells)
    n = len(reference)
    null = np.tile(answer.mean(axis=0), (n, 1))
    every = np.ones(n, dtype=bool)
    total = skill_sum(kind, np.zeros(n, dtype=np.int64), every, reference, answer, null, 1)
    return float(total[0]) / n


def test_label_skill_is_informedness_and_does_not_pay_for_leaning_on_the_common_class() -> None:
    # The reference is 70% class 0. One labeler answers 0 unless sure (30% of the 1s found),
    # the other errs both ways; an answer mix of 90% 0s independent of content scores nothing.
    leaner = {(0, 0): 70, (1, 1): 9, (1, 0): 21}
    honest = {(0, 0): 63, (0, 1): 7, (1, 1): 21, (1, 0): 9}
    blind = {(0, 0): 63, (0, 1): 7, (1, 0): 27, (1, 1): 3}
    assert _skill("label", leaner) == pytest.approx(9 / 30 + 70 / 70 - 1)
    assert _skill("label", honest) == pytest.approx(21 / 30 + 63 / 70 - 1)
    assert _skill("label", blind) == pytest.approx(0.0)
    # Kappa-like chance correction (what preferences and rankings keep) credits the leaner more.
    assert _skill("preference", leaner) == pytest.approx((0.79 - 0.664) / (1 - 0.664))
    assert _skill("label", leaner) < _skill("preference", leaner)


def test_preference_and_ranking_skills_are_the_kappa_like_correction_of_the_sums() -> None:
    judgements, codes, _ = crowd([CAREFUL] * 6 + [RANDOM] * 2, records=400)
    found = collect_evidence(judgements, [replace(codes, kind="ranking")])
    gold = found.gold_seen * (found.gold_correct - found.gold_chance)
    gold /= found.gold_seen - found.gold_chance
    peers = found.shared * (found.agreement - found.agreement_chance)
    peers /= found.shared - found.agreement_chance
    assert found.gold_skill_sum == pytest.approx(gold)
    assert found.agreement_skill_sum == pytest.approx(peers)


def test_label_skills_separate_careful_from_random_people() -> None:
    judgements, codes, _ = crowd([CAREFUL] * 6 + [RANDOM] * 2 + [None], records=400)
    found = collect_evidence(judgements, [codes])
    informedness = found.agreement_skill_sum / found.shared
    assert informedness[:6].min() > 0.3
    assert np.abs(informedness[6:]).max() < 0.15
