"""Per-annotator evidence from verdicts: gold accuracy, agreement, a random-labeling test.

Imports no Django. Every answered item is compared with a reference: the gold answer on a gold
record, otherwise the other people's answers on the same record (leave-one-out). The null
hypothesis of the random-labeling test is "this person's answers are independent of the
content": under it, an answer is a draw from the person's own answer distribution, whatever the
record. Every item scores the real answer (right on gold; on shared records, the share of the
others who gave the same verdict), and the null gives each item's score a known mean and
variance; the test is one-sided on the sum of the scores (normal approximation, one p-value per
annotator). A small p-value is evidence that the person reads the records. Straight-liners and
position clickers are content-independent too, so the test does not clear them.

Combining per-item conformal p-values with Fisher's method (as Chatbot Arena does for anomalous
voters) was measured first on the simulator: with two or three others per record the per-item
scores take three values, the randomized p-values are coarse, and the test cleared fewer than
half of the careful annotators (median q 0.09 with about 50 items). The summed score uses the
same null and is far more powerful for this dense, weak signal.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from scoring.metrics.coding import Codes
from scoring.metrics.judgements import GOLD, Judgements

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Evidence:
    """Sums per annotator (arrays of length n_annotators) over every categorical question."""

    gold_seen: FloatArray
    gold_correct: FloatArray
    gold_chance: FloatArray  # expected correct answers when answering independently of content
    shared: FloatArray
    agreement: FloatArray  # credit for agreeing with the plurality of the others
    agreement_chance: FloatArray
    # Σ over questions of answers × chance-corrected skill on that question (gold; peers):
    # informedness on a label question, (right - chance) / (answers - chance) on the others.
    gold_skill_sum: FloatArray
    agreement_skill_sum: FloatArray
    score: FloatArray  # summed item scores of the real answers
    score_mean: FloatArray  # ... and their mean and variance under content independence
    score_variance: FloatArray
    items: FloatArray

    def random_p_values(self) -> FloatArray:
        """P(summed score at least this high | answers independent of content); nan without
        items, 1 when the null has no variance (the same answer every time)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            z = (self.score - self.score_mean) / np.sqrt(self.score_variance)
        p = np.where(self.score_variance > 1e-12, stats.norm.sf(z), 1.0)
        return np.where(self.items > 0, p, np.nan)


def _zeros(n: int) -> FloatArray:
    return np.zeros(n, dtype=np.float64)


def _answer_distribution(
    annotator: NDArray[np.int64], verdict: NDArray[np.int64], n_a: int, v: int
) -> FloatArray:
    counts = np.bincount(annotator * v + verdict, minlength=n_a * v).reshape(n_a, v)
    totals = counts.sum(axis=1, keepdims=True)
    return np.asarray(counts / np.maximum(totals, 1), dtype=np.float64)


def _others(codes: Codes, judgements: Judgements) -> FloatArray:
    """Per item, how many *other* reference judgements of its record gave each verdict."""
    v = codes.n_verdicts
    _, record = np.unique(judgements.record[codes.judgement], return_inverse=True)
    reference = judgements.in_reference[codes.judgement].astype(np.float64)
    table = np.bincount(
        record * v + codes.verdict, weights=reference, minlength=(record.max() + 1) * v
    ).reshape(-1, v)
    others: FloatArray = np.asarray(table[record], dtype=np.float64)
    others[np.arange(len(record)), codes.verdict] -= reference
    return others


def plurality(codes: Codes, judgements: Judgements) -> NDArray[np.int64]:
    """Per item, the verdict most of the others gave; -1 without others or on a tie."""
    others = _others(codes, judgements)
    top = others.max(axis=1)
    unique = (others == top[:, None]).sum(axis=1) == 1
    return np.where(unique & (top > 0), others.argmax(axis=1), -1).astype(np.int64)


def collect_evidence(judgements: Judgements, questions: list[Codes]) -> Evidence:
    n_a = judgements.n_annotators
    sums = {name: _zeros(n_a) for name in Evidence.__dataclass_fields__}
    for codes in questions:
        if not codes.has_verdicts or len(codes.judgement) == 0:
            continue
        _add_question(sums, judgements, codes)
    return Evidence(**sums)


def _add_question(sums: dict[str, FloatArray], judgements: Judgements, codes: Codes) -> None:
    n_a, v = judgements.n_annotators, codes.n_verdicts
    annotator = judgements.annotator[codes.judgement]
    verdict = codes.verdict
    null = _answer_distribution(annotator, verdict, n_a, v)[annotator]
    onehot = np.eye(v, dtype=np.float64)[verdict]

    gold = (judgements.kind[codes.judgement] == GOLD) & (codes.gold >= 0)
    truth = np.eye(v, dtype=np.float64)[np.where(gold, codes.gold, 0)]
    correct = (truth * onehot).sum(axis=1)
    _add(sums["gold_seen"], annotator, gold, np.ones(len(verdict)))
    _add(sums["gold_correct"], annotator, gold, correct)
    _add(sums["gold_chance"], annotator, gold, (null * truth).sum(axis=1))
    sums["gold_skill_sum"] += skill_sum(codes.kind, annotator, gold, truth, onehot, null, n_a)

    others = _others(codes, judgements)
    count = others.sum(axis=1)
    shared = ~gold & (count > 0)
    top = others.max(axis=1, keepdims=True)
    plurality = (others == top) & (top > 0)
    plurality_credit = plurality / np.maximum(plurality.sum(axis=1, keepdims=True), 1)
    _add(sums["shared"], annotator, shared, np.ones(len(verdict)))
    _add(sums["agreement"], annotator, shared, (plurality_credit * onehot).sum(axis=1))
    _add(sums["agreement_chance"], annotator, shared, (null * plurality_credit).sum(axis=1))
    sums["agreement_skill_sum"] += skill_sum(
        codes.kind, annotator, shared, plurality_credit, onehot, null, n_a
    )

    # The test scores an answer by the share of the others who gave it (finer than the plurality,
    # so more powerful), or by being right on gold.
    scores = np.where(gold[:, None], truth, others / np.maximum(count, 1)[:, None])
    tested = gold | shared
    mean = (null * scores).sum(axis=1)
    _add(sums["score"], annotator, tested, (scores * onehot).sum(axis=1))
    _add(sums["score_mean"], annotator, tested, mean)
    _add(sums["score_variance"], annotator, tested, (null * scores**2).sum(axis=1) - mean**2)
    _add(sums["items"], annotator, tested, np.ones(len(verdict)))


def skill_sum(
    kind: str,
    annotator: NDArray[np.int64],
    mask: NDArray[np.bool_],
    reference: FloatArray,
    answer: FloatArray,
    null: FloatArray,
    n_a: int,
) -> FloatArray:
    """Per annotator, answers × chance-corrected skill against a reference (rows: each item's
    credit per verdict), chance coming from the person's own mix of answers.

    On a label question the skill is Powers' informedness, Σ_k P(answer k) × (P(answer k |
    reference k) - P(answer k | reference not k)): for two classes sensitivity + specificity - 1.
    It does not depend on how common each class is in the reference, so a person who answers
    the class the crowd leans to whenever in doubt earns only what they tell apart. On the other
    kinds (a preference's rare tie, a ranking's best response) it is the kappa-like
    (right - chance) / (answers - chance), chance being what the person's mix of answers to the
    question (`null`) scores on these items.
    """
    annotator, reference, answer, null = annotator[mask], reference[mask], answer[mask], null[mask]
    v = reference.shape[1]
    # annotator × reference verdict × answer; a bincount per reference verdict (np.add.at is
    # an order of magnitude slower), answers being one-hot or credit-weighted rows.
    confusion = np.zeros((n_a, v, v))
    for given in range(v):
        weight = answer[:, given]
        for truth in range(v):
            credit = reference[:, truth] * weight
            confusion[:, truth, given] = np.bincount(annotator, credit, minlength=n_a)
    n = np.bincount(annotator, minlength=n_a).astype(np.float64)
    given = confusion.sum(axis=1)  # answers per verdict
    truth = confusion.sum(axis=2)  # reference credit per verdict
    right = np.trace(confusion, axis1=1, axis2=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        if kind == "label":
            hits = np.diagonal(confusion, axis1=1, axis2=2)
            sensitivity = hits / truth
            false_alarms = (given - hits) / (n[:, None] - truth)
            defined = (truth > 1e-12) & (n[:, None] - truth > 1e-12)
            terms = np.where(defined, given * (sensitivity - false_alarms), 0.0)
            return np.asarray(terms.sum(axis=1), dtype=np.float64)
        chance = np.bincount(annotator, (null * reference).sum(axis=1), minlength=n_a)
        skill = np.where(n - chance > 1e-12, (right - chance) / (n - chance), 0.0)
    return np.asarray(np.where(n > 0, n * skill, 0.0), dtype=np.float64)


def _add(
    total: FloatArray,
    annotator: NDArray[np.int64],
    mask: NDArray[np.bool_] | None,
    values: FloatArray,
) -> None:
    if mask is not None:
        annotator, values = annotator[mask], values[mask]
    total += np.bincount(annotator, weights=values, minlength=len(total))
