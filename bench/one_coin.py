"""The textbook reference for bench/scoring_real.py: one-coin Dawid-Skene with gold clamped.

Pure numpy, imports no project code (the benchmark's yardstick must not share the job's code).
Annotator a gives the true label with probability c_a, otherwise a uniformly random wrong one;
EM from the majority vote, gold objects fixed to their answer, a Beta(2, 2) prior on c_a.
"""

import numpy as np


def competence(
    labels: dict[tuple[str, str], str], gold: dict[str, str], classes: list[str]
) -> dict[str, float]:
    workers = sorted({w for w, _ in labels})
    items = sorted({i for _, i in labels})
    w_index = {w: n for n, w in enumerate(workers)}
    i_index = {i: n for n, i in enumerate(items)}
    c_index = {c: n for n, c in enumerate(classes)}
    who = np.array([w_index[w] for w, _ in labels], dtype=np.int64)
    item = np.array([i_index[i] for _, i in labels], dtype=np.int64)
    said = np.array([c_index[v] for v in labels.values()], dtype=np.int64)
    k, n_w, n_i = len(classes), len(workers), len(items)
    known = np.array([i in gold for i in items])
    truth = np.array([c_index[gold[i]] if i in gold else 0 for i in items], dtype=np.int64)
    votes = np.zeros((n_i, k))
    np.add.at(votes, (item, said), 1.0)
    posterior = (votes + 0.01) / (votes + 0.01).sum(axis=1, keepdims=True)
    posterior[known] = np.eye(k)[truth[known]]
    seen = np.bincount(who, minlength=n_w).astype(np.float64)
    c = np.full(n_w, 0.7)
    for _ in range(100):
        right = posterior[item, said]
        new = np.clip((np.bincount(who, right, n_w) + 1) / (seen + 2), 1e-3, 1 - 1e-3)
        log_right, log_wrong = np.log(new[who]), np.log((1 - new[who]) / max(k - 1, 1))
        log_post = np.zeros((n_i, k))
        np.add.at(log_post, item, log_wrong[:, None] * np.ones(k))
        np.add.at(log_post, (item, said), log_right - log_wrong)
        log_post -= log_post.max(axis=1, keepdims=True)
        posterior = np.exp(log_post)
        posterior /= posterior.sum(axis=1, keepdims=True)
        posterior[known] = np.eye(k)[truth[known]]
        done = np.max(np.abs(new - c)) < 1e-6
        c = new
        if done:
            break
    return {w: float(c[n]) for w, n in w_index.items()}
