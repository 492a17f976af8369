"""scale.last_decay_matters' and scale.decay_drop_then_rise's runs (noise drawn in blocks, records taken after the
loop, the step of theorykit.numeric.scale_invariant.sphere_sgd_steps) equal the plain per-step loops they replaced
to round-off: the step divides by ||w|| before multiplying by lr, where these loops multiplied first."""
import numpy as np
import pytest

from proofs.scale import equilibrium as eq


def _plain_history_run(params, seed):
    d_, lam_, el = int(params["d"]), float(params["lam"]), float(params["eta_last"])
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((32, d_))
    W *= 10.0 / np.linalg.norm(W, axis=1, keepdims=True)
    last = round(8.0 / (el * lam_))
    phases = [(el * f, eq._PHASE_STEPS) for f in eq._HISTORIES[params["history"]]] + [(el, last)]
    acc, n_acc = 0.0, 0
    for k_, (lr, steps) in enumerate(phases):
        for t in range(steps):
            r = np.sqrt(np.sum(W * W, axis=1, keepdims=True))
            U = W / r
            xi = rng.standard_normal(W.shape)
            W = (1.0 - lr * lam_) * W - lr * (xi - U * np.sum(U * xi, axis=1, keepdims=True)) / r
            if k_ == len(phases) - 1 and t >= steps // 2:
                acc += float(np.mean(np.sum(W * W, axis=1) ** 2))
                n_acc += 1
    return acc / n_acc


def _plain_dr_run(d_, h_, el, seed):
    lam_, rng = 0.1, np.random.default_rng(seed)
    eta_ = el / lam_
    W = rng.standard_normal((64, d_))
    W[:, 0] += 3.0
    W *= 3.0 / np.linalg.norm(W, axis=1, keepdims=True)
    n1, n2 = round(8 / el), round(80 / el)
    loss, eff = np.empty(n1 + n2), np.empty(n1 + n2)
    for t in range(n1 + n2):
        lr = eta_ if t < n1 else eta_ / 10
        r = np.sqrt(np.sum(W * W, axis=1, keepdims=True))
        U = W / r
        gu = rng.standard_normal(W.shape)
        gu[:, 0] -= h_ * U[:, 0]
        W = (1.0 - lr * lam_) * W - lr * (gu - U * np.sum(U * gu, axis=1, keepdims=True)) / r
        loss[t], eff[t] = float(np.mean(h_ / 2 * (1 - U[:, 0] ** 2))), float(np.mean(lr / r[:, 0] ** 2))
    before, final = float(np.mean(loss[n1 // 2:n1])), float(np.mean(loss[n1 + n2 // 2:]))
    k = max(1, int(0.25 / el))
    low = float(np.min(np.convolve(loss[n1:], np.ones(k) / k, mode="valid")))
    return eff[n1] / eff[n1 - 1], (low - final) / before, final / before


@pytest.mark.parametrize("history", sorted(eq._HISTORIES))
def test_history_run_equals_the_per_step_loop(history, monkeypatch):
    monkeypatch.setattr(eq, "_PHASE_STEPS", 300)  # shorter earlier phases keep the test cheap
    params = {"d": 5, "lam": 0.1, "eta_last": 0.1, "history": history}  # a last phase of 800 steps
    assert eq._history_run(params, 3) == pytest.approx(_plain_history_run(params, 3), rel=1e-12)


@pytest.mark.parametrize("d_, h_, el, seed", [(4, 10.0, 0.4, 0), (8, 5.0, 0.3, 2)])
def test_drop_then_rise_run_equals_the_per_step_loop(d_, h_, el, seed):
    assert eq._dr_run.__wrapped__(d_, h_, el, seed) == pytest.approx(_plain_dr_run(d_, h_, el, seed), rel=1e-11)
