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
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from scoring.metrics import keys
from scoring.metrics.coding import Codes
from scoring.metrics.judgements import GOLD, Judgements
from scoring.metrics.totals import Totals

FloatArray = NDArray[np.float64]
# Items worked out at a time: their items × verdicts temporaries stay a few MB.
ROWS = 1 << 16


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
    annotator: NDArray[np.integer], verdict: NDArray[np.integer], n_a: int, v: int
) -> FloatArray:
    counts = np.bincount(annotator.astype(np.int64) * v + verdict, minlength=n_a * v)
    counts = counts.reshape(n_a, v)
    totals = counts.sum(axis=1, keepdims=True)
    return np.asarray(counts / np.maximum(totals, 1), dtype=np.float64)


def _record_table(
    codes: Codes, judgements: Judgements
) -> tuple[FloatArray, NDArray[np.int64], FloatArray]:
    """How many reference judgements of each record gave each verdict (records × verdicts), each
    item's row in it, and whether the item itself is a reference judgement (1.0 or 0.0)."""
    v = codes.n_verdicts
    record, n_records = keys.dense(judgements.record[codes.judgement])
    reference = judgements.in_reference[codes.judgement].astype(np.float64)
    table = np.bincount(record * v + codes.verdict, weights=reference, minlength=n_records * v)
    return np.asarray(table.reshape(-1, v), dtype=np.float64), record, reference


def _others(
    table: FloatArray,
    record: NDArray[np.int64],
    reference: FloatArray,
    verdict: NDArray[np.integer],
) -> FloatArray:
    """Per item (a row each), how many *other* reference judgements of its record gave each
    verdict."""
    others: FloatArray = table[record]
    others[np.arange(len(record)), verdict] -= reference
    return others


def _chunks(n: int) -> list[slice]:
    return [slice(start, min(start + ROWS, n)) for start in range(0, n, ROWS)]


def plurality(codes: Codes, judgements: Judgements) -> NDArray[np.int64]:
    """Per item, the verdict most of the others gave; -1 without others or on a tie."""
    table, record, reference = _record_table(codes, judgements)
    found = np.full(len(record), -1, dtype=np.int64)
    for rows in _chunks(len(record)):
        others = _others(table, record[rows], reference[rows], codes.verdict[rows])
        top = others.max(axis=1)
        unique = (others == top[:, None]).sum(axis=1) == 1
        found[rows] = np.where(unique & (top > 0), others.argmax(axis=1), -1)
    return found


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
    gold = (judgements.kind[codes.judgement] == GOLD) & (codes.gold >= 0)
    null = _answer_distribution(annotator, codes.verdict, n_a, v)
    table, record, reference = _record_table(codes, judgements)
    # Column by column (a verdict each): numpy reduces a narrow last axis several times slower.
    null_columns = [np.ascontiguousarray(null[:, c]) for c in range(v)]
    totals, cells = Totals(n_a), Totals(n_a * v * v)
    for rows in _chunks(len(record)):
        verdict, chunk_gold = codes.verdict[rows], gold[rows]
        truth = np.where(chunk_gold, codes.gold[rows], 0)
        people = annotator[rows]
        figures = _chunk_figures(
            _other_columns(table, record[rows], reference[rows], verdict),
            [column[people] for column in null_columns],
            verdict,
            chunk_gold,
            truth,
        )
        _add_chunk(totals, cells, people, verdict, chunk_gold, truth, figures, v)
    t = totals.sums
    for name in sums:
        if name in t:
            sums[name] += t[name]
    for kind, seen, chance in _SKILLS:
        # annotator × reference verdict × answer
        confusion = cells.sums[kind].reshape(n_a, v, v)
        sums[f"{kind}_skill_sum"] += _corrected_sum(codes.kind, t[seen], confusion, t[chance])


# Per skill: its confusion's cells (annotator × reference verdict × answer, flat), its answers
# and its chance credit among the totals.
_SKILLS = (("gold", "gold_seen", "gold_chance"), ("agreement", "shared", "agreement_chance"))


def _other_columns(
    table: FloatArray,
    record: NDArray[np.int64],
    reference: FloatArray,
    verdict: NDArray[np.integer],
) -> list[FloatArray]:
    """`_others` as one array per verdict (a record's row is read at once: one cache miss)."""
    others = _others(table, record, reference, verdict)
    return [np.ascontiguousarray(others[:, c]) for c in range(others.shape[1])]


def row_sums(columns: list[FloatArray]) -> FloatArray:
    """The sums of the rows whose columns these are, equal to the last bit to numpy's
    `rows.sum(axis=1)`: for fewer than 8 columns numpy adds a row's entries left to right, so
    here one column after another; from 8 on it sums pairwise, so the rows are summed by numpy."""
    if len(columns) >= 8:
        return np.asarray(np.stack(columns, axis=1).sum(axis=1), dtype=np.float64)
    total = columns[0].copy()
    for column in columns[1:]:
        total += column
    return total


def _at(columns: list[FloatArray], index: NDArray[np.integer]) -> FloatArray:
    """Per row, its entry in column `index`."""
    found = np.zeros(len(index))
    for c, column in enumerate(columns):
        np.copyto(found, column, where=index == c)
    return found


def _add_chunk(
    totals: Totals,
    cells: Totals,
    annotator: NDArray[np.integer],
    verdict: NDArray[np.integer],
    gold: NDArray[np.bool_],
    truth: NDArray[np.integer],
    f: dict[str, Any],
    v: int,
) -> None:
    shared = f["shared"]
    on_gold, on_shared, tested = annotator[gold], annotator[shared], annotator[gold | shared]
    totals.add("gold_seen", on_gold, None)
    totals.add("gold_correct", on_gold, f["correct"])
    totals.add("gold_chance", on_gold, f["gold_chance"])
    totals.add("shared", on_shared, None)
    totals.add("agreement", on_shared, f["agreement"])
    totals.add("agreement_chance", on_shared, f["agreement_chance"])
    totals.add("score", tested, f["score"])
    totals.add("score_mean", tested, f["mean"])
    totals.add("score_variance", tested, f["variance"])
    totals.add("items", tested, None)
    # annotator × reference verdict × answer: counts on gold, the plurality's credit on peers
    # (an item adds its credit to every verdict on top; a cell's items stay in item order).
    gold_cell = (on_gold.astype(np.int64) * v + truth[gold]) * v + verdict[gold]
    cells.add("gold", gold_cell, None)
    given = verdict[shared]
    on_shared = on_shared.astype(np.int64)
    keys, credits = [], []
    for reference, on_top in enumerate(f["on_top"]):
        keys.append((on_shared[on_top] * v + reference) * v + given[on_top])
        credits.append(f["credit"][on_top])
    cells.add("agreement", np.concatenate(keys), np.concatenate(credits))


def _chunk_figures(
    others: list[FloatArray],
    null: list[FloatArray],
    verdict: NDArray[np.integer],
    gold: NDArray[np.bool_],
    truth: NDArray[np.integer],
) -> dict[str, Any]:
    """Per verdict, a column over the items: the others' verdicts and the person's answer
    distribution; per item its answer, whether it is on gold and the gold answer. Every sum
    over verdicts is `row_sums`', the same additions in the same order as items × verdicts
    arrays summed by numpy."""
    count = row_sums(others)
    shared = ~gold & (count > 0)
    tested = gold | shared
    s = [column[shared] for column in others]
    top = s[0].copy()
    for column in s[1:]:
        np.maximum(top, column, out=top)
    on_top = [(column == top) & (top > 0) for column in s]
    ties = np.zeros(len(top), dtype=np.int64)
    for column in on_top:
        ties += column
    ties = np.maximum(ties, 1)
    credit = [column / ties for column in on_top]
    # The test scores an answer by the share of the others who gave it (finer than the plurality,
    # so more powerful), or by being right on gold.
    on_gold, seen, given = gold[tested], np.maximum(count, 1)[tested], verdict[tested]
    right = truth[tested]
    scores = [
        np.where(on_gold, (right == c).astype(np.float64), column[tested] / seen)
        for c, column in enumerate(others)
    ]
    null_tested = [column[tested] for column in null]
    mean = row_sums([n * x for n, x in zip(null_tested, scores, strict=True)])
    null_shared = [column[shared] for column in null]
    return {
        "correct": (verdict[gold] == truth[gold]).astype(np.float64),
        "gold_chance": _at([column[gold] for column in null], truth[gold]),
        "shared": shared,
        "on_top": on_top,
        "credit": 1.0 / ties,
        "agreement": _at(credit, verdict[shared]),
        "agreement_chance": row_sums([n * c for n, c in zip(null_shared, credit, strict=True)]),
        "score": _at(scores, given),
        "mean": mean,
        "variance": row_sums([n * x**2 for n, x in zip(null_tested, scores, strict=True)])
        - mean**2,
    }


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
    expected = np.bincount(annotator, (null * reference).sum(axis=1), minlength=n_a)
    return _corrected_sum(kind, n, confusion, np.asarray(expected, dtype=np.float64))


def _corrected_sum(
    kind: str, n: FloatArray, confusion: FloatArray, expected: FloatArray
) -> FloatArray:
    """skill_sum from each annotator's answers, confusion and chance credit."""
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
        skill = np.where(n - expected > 1e-12, (right - expected) / (n - expected), 0.0)
    return np.asarray(np.where(n > 0, n * skill, 0.0), dtype=np.float64)
