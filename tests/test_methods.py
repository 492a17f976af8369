import math
import warnings

import numpy as np
import pytest

from theorykit.errors import InputError
from theorykit.numeric.methods import (
    METHODS,
    State,
    dense_power_run,
    eigen_iteration,
    eigen_power_run,
    eigen_step,
    linear_iteration,
    run,
    step,
    transition_matrix,
)
from theorykit.numeric.problems import LogisticRegression, Quadratic, random_quadratic, random_quadratics


def reference_run(method, grad, x0, lr, beta, steps):
    """The methods written out independently of theorykit.numeric.methods."""
    x_prev, x = x0.copy(), x0.copy()
    out = [x]
    for _ in range(steps):
        if method == "gd":
            new = x - lr * grad(x)
        elif method == "heavy_ball":
            new = x - lr * grad(x) + beta * (x - x_prev)
        else:
            y = x + beta * (x - x_prev)
            new = y - lr * grad(y)
        x_prev, x = x, new
        out.append(x)
    return np.array(out)


@pytest.mark.parametrize("method, beta", [("gd", 0.0), ("heavy_ball", 0.7), ("nesterov", 0.6)])
def test_run_matches_the_written_out_recurrence(method, beta):
    rng = np.random.default_rng(0)
    q = random_quadratic([0.2, 1.0, 3.0], rng=rng, b=rng.normal(size=3))
    x0 = rng.normal(size=3)
    traj = run(method, q, x0, 0.3, 40, momentum=beta, record=("x", "loss", "dist", "grad_norm"))
    ref = reference_run(method, q.grad, x0, 0.3, beta, 40)
    assert np.allclose(traj.xs, ref, rtol=1e-13, atol=1e-13)
    assert np.allclose(traj.loss, [q.loss(r) for r in ref])
    assert np.allclose(traj.dist, np.linalg.norm(ref - q.x_star, axis=1))
    assert np.allclose(traj.grad_norm, np.linalg.norm(ref @ q.A - q.b, axis=1))
    assert traj.steps == 40 and traj.diverged is False and traj.diverged_at == -1


def test_step_is_one_step_of_run():
    q = Quadratic(np.diag([1.0, 2.0]))
    s = State(np.array([1.0, 1.0]), np.array([0.5, 2.0]))
    new = step("heavy_ball", q, s, 0.1, 0.5)
    assert np.allclose(new.x, s.x - 0.1 * q.grad(s.x) + 0.5 * (s.x - s.x_prev))
    assert np.array_equal(new.x_prev, s.x)


def test_batched_run_equals_loop_over_problems_and_step_sizes():
    eig = np.array([[1.0, 2.0], [0.5, 4.0], [1.0, 1.0]])
    bq = random_quadratics(eig, rng=np.random.default_rng(1))
    x0 = np.random.default_rng(2).normal(size=(3, 2))
    lrs = np.array([0.1, 0.3, 0.5])
    moms = np.array([0.0, 0.5, 0.9])
    batched = run("heavy_ball", bq, x0, lrs, 25, momentum=moms, record=("loss", "x"))
    for i in range(3):
        single = run("heavy_ball", bq[i], x0[i], float(lrs[i]), 25, momentum=float(moms[i]), record=("loss", "x"))
        assert np.allclose(batched.xs[:, i], single.xs, rtol=1e-12, atol=1e-12)
        assert np.allclose(batched.loss[:, i], single.loss, rtol=1e-12)


def test_divergence_is_flagged_without_warnings_or_nan():
    q = Quadratic(np.diag([1.0, 10.0]))
    x0 = np.array([[1.0, 1.0], [1.0, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = run("gd", q, x0, np.array([0.1, 0.5]), 1_000, record=("loss", "grad_norm", "x"))
    assert list(traj.diverged) == [False, True]
    assert traj.diverged_at[0] == -1 and traj.diverged_at[1] > 0
    assert not np.any(np.isnan(traj.loss)) and not np.any(np.isnan(traj.xs))
    assert np.all(np.isinf(traj.loss[traj.diverged_at[1]:, 1]))
    assert np.all(np.isfinite(traj.x))


def test_run_stops_early_when_everything_diverged():
    q = Quadratic(np.diag([1.0, 10.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = run("nesterov", q, np.ones(2), 1e150, 1_000_000, momentum=0.5)
    assert traj.diverged is True and traj.steps == traj.diverged_at < 10
    assert traj.loss.shape == (traj.steps + 1,)
    assert math.isinf(float(traj.loss[-1]))


def test_logistic_run_decreases_loss():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(20, 3))
    y = np.where(X @ np.array([1.0, -1.0, 0.5]) + 0.3 * rng.normal(size=20) > 0, 1.0, -1.0)
    p = LogisticRegression(X, y, reg=0.1)
    traj = run("gd", p, np.zeros(3), 1.0 / p.L, 200)
    assert np.all(np.diff(traj.loss) <= 1e-15)  # GD with lr = 1/L descends on an L-smooth function


@pytest.mark.parametrize(
    "kwargs, arg, fragment",
    [
        ({"method": "adam"}, "method", "gd, heavy_ball, nesterov"),
        ({"lr": 0.0}, "lr", "> 0"),
        ({"lr": -1.0}, "lr", "> 0"),
        ({"lr": math.nan}, "lr", "NaN"),
        ({"momentum": 1.0, "method": "heavy_ball"}, "momentum", "[0, 1)"),
        ({"momentum": -0.1, "method": "nesterov"}, "momentum", "[0, 1)"),
        ({"momentum": 0.5}, "momentum", "gd has no momentum"),
        ({"steps": -1}, "steps", ">= 0"),
        ({"steps": 2.5}, "steps", ">= 0"),
        ({"record": ("loss", "speed")}, "record", "speed"),
        ({"x0": [1.0, 2.0, 3.0]}, "x0", "last dimension"),
        ({"x0": [1.0, math.inf]}, "x0", "NaN or inf"),
        ({"lr": np.array([0.1, 0.2])}, "lr", "batched"),
    ],
)
def test_run_validation(kwargs, arg, fragment):
    q = Quadratic(np.diag([1.0, 2.0]))
    args = {"method": "gd", "problem": q, "x0": [1.0, 1.0], "lr": 0.1, "steps": 3}
    args.update(kwargs)
    with pytest.raises(InputError) as err:
        run(args.pop("method"), args.pop("problem"), args.pop("x0"), args.pop("lr"), args.pop("steps"), **args)
    assert err.value.argument == arg and fragment in str(err.value)


def test_dist_needs_a_minimiser():
    q = Quadratic(np.diag([-1.0, 1.0]))
    with pytest.raises(InputError) as err:
        run("gd", q, [1.0, 1.0], 0.1, 3, record=("dist",))
    assert err.value.argument == "record"


# -- exact linear iterations --------------------------------------------------


@pytest.mark.parametrize("method, beta", [("gd", 0.0), ("heavy_ball", 0.8), ("nesterov", 0.5)])
def test_eigen_iteration_reproduces_run_on_a_diagonal_quadratic(method, beta):
    lam = np.array([0.1, 1.0, 2.5])
    e0 = np.array([1.0, -2.0, 0.5])
    traj = run(method, Quadratic(np.diag(lam)), e0, 0.4, 30, momentum=beta, record=("x",))
    T = eigen_iteration(method, lam, 0.4, momentum=beta)
    assert linear_iteration is eigen_iteration
    e, e_prev = e0, e0
    for k in range(30):
        e, e_prev = eigen_step(T, e, e_prev)
        assert np.allclose(e, traj.xs[k + 1], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("method, beta", [("gd", 0.0), ("heavy_ball", 0.9), ("nesterov", 0.7)])
@pytest.mark.parametrize("steps", [0, 1, 2, 7, 64, 101])
def test_power_run_equals_stepping(method, beta, steps):
    lam = np.array([[0.05, 1.0, 3.0], [0.5, 0.7, 6.0]])
    lr = np.array([[0.3], [0.6]])
    T = eigen_iteration(method, lam, lr, momentum=beta)
    rng = np.random.default_rng(4)
    e0, ep0 = rng.normal(size=lam.shape), rng.normal(size=lam.shape)
    e, ep = e0, ep0
    for _ in range(steps):
        e, ep = eigen_step(T, e, ep)
    pr = eigen_power_run(T, e0, ep0, steps)
    u, w = pr.direction
    scale = np.exp(pr.log_norm)
    assert np.allclose(u * scale, e, rtol=1e-9, atol=1e-300)
    assert np.allclose(w * scale, ep, rtol=1e-9, atol=1e-300)
    # the dense form of the same iteration
    A = np.diag(lam[0])
    M = transition_matrix(method, A, 0.3, momentum=beta)
    prd = dense_power_run(M, np.concatenate([e0[0], ep0[0]]), steps)
    s = prd.direction * np.exp(prd.log_norm)
    assert np.allclose(s, np.concatenate([e[0], ep[0]]), rtol=1e-9, atol=1e-300)


def test_transition_matrix_is_the_eigen_iteration_rotated():
    rng = np.random.default_rng(5)
    q = random_quadratic([0.5, 1.5, 2.0], rng=rng)
    M = transition_matrix("nesterov", q.A, 0.2, momentum=0.4)
    T = eigen_iteration("nesterov", np.linalg.eigvalsh(q.A), 0.2, momentum=0.4)
    block = np.array([[T.m11, T.m12], [T.m21, T.m22]])  # (2, 2, d)
    ev_dense = np.sort(np.abs(np.linalg.eigvals(M)))
    ev_eigen = np.sort(np.abs(np.concatenate([np.linalg.eigvals(block[:, :, i]) for i in range(3)])))
    assert np.allclose(ev_dense, ev_eigen, atol=1e-12)


def test_power_run_survives_extremes_without_warnings():
    lam = np.array([1.0, 1e300])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        T = eigen_iteration("heavy_ball", lam, 1e10, momentum=0.5)
        pr = eigen_power_run(T, np.ones(2), np.ones(2), 2**40)
        assert np.isinf(pr.log_norm[1]) and pr.log_norm[1] > 0
        T = eigen_iteration("gd", np.array([1.0]), 1.0)  # reaches 0 in one step
        pr = eigen_power_run(T, np.ones(1), np.ones(1), 2**40)
        assert pr.log_norm[0] == -math.inf


def test_methods_tuple():
    assert METHODS == ("gd", "heavy_ball", "nesterov")


def _power_run_reference(T, e0, ep0, steps):
    """eigen_power_run's binary powering written out plainly: D stacked as a (3, ...) array
    and reduced with np.max (the form it had before its loop was cut to fewer array ops)."""
    with np.errstate(all="ignore"):
        finite = np.isfinite(T.m11) & np.isfinite(T.m12) & np.isfinite(T.m21) & np.isfinite(T.m22)
        m11, m12, m21, m22 = (np.where(finite, m, 0.0) for m in T)
        t = (m11 + m22) / 2
        D = np.stack([(m11 - m22) / 2, m12, m21])
        delta = D[0] * D[0] + D[1] * D[2]
        p_scale = np.zeros_like(t)
        u, w = e0 + np.zeros_like(t), ep0 + np.zeros_like(t)
        n0 = np.sqrt(u * u + w * w)
        log_norm = np.log(n0)
        safe = n0 + (n0 == 0).astype(float)
        u, w = u / safe, w / safe
        n = steps
        while n:
            if n & 1:
                u, w = t * u + D[0] * u + D[1] * w, t * w + D[2] * u - D[0] * w
                s = np.sqrt(u * u + w * w)
                log_norm = log_norm + p_scale + np.log(s)
                safe = s + (s == 0).astype(float)
                u, w = u / safe, w / safe
            n >>= 1
            if n:
                s = np.maximum(np.abs(t), np.max(np.abs(D), axis=0))
                p_scale = 2 * (p_scale + np.log(s))
                safe = s + (s == 0).astype(float)
                t, D, delta = t / safe, D / safe, (delta / safe) / safe
                tt = t * t
                t, D, delta = tt + delta, (t + t) * D, 4 * tt * delta
        log_norm = np.where(finite, log_norm, np.inf)
    return u, w, log_norm


@pytest.mark.parametrize("seed", range(6))
def test_power_run_is_bit_identical_to_the_plain_powering(seed):
    rng = np.random.default_rng(seed)
    method = METHODS[seed % 3]
    lam = rng.uniform(-0.5, 10.0, (5, 4))
    lam[0, 0], lam[1, 1] = 0.0, 1e300  # a zero direction and one that overflows
    lr = rng.uniform(0.01, 0.6, (5, 1))
    beta = 0.0 if method == "gd" else rng.uniform(0.0, 0.99, (5, 1))
    T = eigen_iteration(method, lam, lr, momentum=beta)
    e0, ep0 = rng.normal(size=lam.shape), rng.normal(size=lam.shape)
    e0[2, 2] = ep0[2, 2] = 0.0  # a state that is exactly 0
    for steps in (0, 1, 5, int(rng.integers(2, 2**20)), 2**38, 2**40 + 3):
        pr = eigen_power_run(T, e0, ep0, steps)
        u, w, log_norm = _power_run_reference(T, e0, ep0, steps)
        np.testing.assert_array_equal(pr.log_norm, log_norm)
        np.testing.assert_array_equal(pr.direction[0], u)
        np.testing.assert_array_equal(pr.direction[1], w)
