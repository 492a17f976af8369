"""Adaptive update rules (theorykit.numeric.adaptive): hand-computed steps, invariants, input errors."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theorykit.errors import InputError
from theorykit.numeric import adaptive as ad

finite = st.floats(-1e3, 1e3, allow_nan=False).filter(lambda v: abs(v) > 1e-6)
grads = st.lists(finite, min_size=1, max_size=6).map(lambda v: np.asarray(v))
betas = st.floats(0.0, 0.999)


def vectors(n):
    return st.lists(finite, min_size=n, max_size=n).map(lambda v: np.asarray(v))


@given(g=grads, b1=betas, b2=betas, lr=st.floats(1e-4, 10.0))
def test_first_adam_step_is_lr_times_sign(g, b1, b2, lr):
    # bias correction makes m^_1 = g and v^_1 = g^2, so the first step is -lr sign(g)
    delta, state = ad.adam_step(ad.adam_init(np.zeros_like(g)), g, lr=lr, beta1=b1, beta2=b2)
    np.testing.assert_allclose(delta, -lr * np.sign(g), rtol=1e-12)
    assert state.t == 1
    np.testing.assert_allclose(state.m, (1 - b1) * g, rtol=1e-15)


@given(g=grads, lr=st.floats(1e-4, 10.0))
def test_rmsprop_with_zero_beta_is_sign_descent(g, lr):
    delta, _ = ad.rmsprop_step(ad.rmsprop_init(np.zeros_like(g)), g, lr=lr, beta=0.0)
    np.testing.assert_allclose(delta, -lr * np.sign(g), rtol=1e-12)


@given(seq=st.lists(vectors(3), min_size=1, max_size=30), b2=st.floats(0.5, 0.999))
def test_amsgrad_denominator_never_decreases(seq, b2):
    state = ad.adam_init(np.zeros(3))
    prev = state.v_max
    for g in seq:
        _, state = ad.amsgrad_step(state, g, lr=0.1, beta1=0.9, beta2=b2)
        assert np.all(state.v_max >= prev) and np.all(state.v_max >= state.v)
        prev = state.v_max


@given(seq=st.lists(vectors(2), min_size=1, max_size=30), b2=st.floats(0.5, 0.999),
       v0=st.floats(1e-6, 1e6))
def test_yogi_change_bounded_and_positive(seq, b2, v0):
    state = ad.yogi_init(np.zeros(2), v0=v0)
    for g in seq:
        _, new = ad.yogi_step(state, g, lr=0.1, beta2=b2)
        change = np.abs(new.v - state.v)
        # the difference of two floats of size v carries ~2 eps v of round-off
        assert np.all(change <= (1 - b2) * g * g * (1 + 1e-12) + 4e-16 * np.maximum(new.v, state.v))
        assert np.all(new.v >= b2 * state.v * (1 - 1e-12)) and np.all(new.v > 0)
        state = new


def test_adagrad_accumulates_and_zero_gradient_gives_zero_step():
    g = np.array([3.0, 0.0])
    state = ad.adagrad_init(np.zeros(2))
    for t in range(1, 5):
        delta, state = ad.adagrad_step(state, g, lr=0.5)
        np.testing.assert_allclose(state.G, [9.0 * t, 0.0])
        np.testing.assert_allclose(delta, [-0.5 / math.sqrt(t), 0.0])  # 0/0 on the zero coordinate -> 0
        assert np.all(np.isfinite(delta))


def test_adadelta_first_step_by_hand():
    g = np.array([2.0, -0.5])
    rho, e_dx, e_g = 0.9, 1e-4, 1e-6
    delta, state = ad.adadelta_step(ad.adadelta_init(np.zeros(2)), g, rho=rho, eps_dx=e_dx, eps_g=e_g)
    expected = -math.sqrt(e_dx) / np.sqrt((1 - rho) * g * g + e_g) * g
    np.testing.assert_allclose(delta, expected, rtol=1e-14)
    np.testing.assert_allclose(state.Edx, (1 - rho) * expected**2, rtol=1e-14)


def test_batched_states_keep_their_shape():
    x = np.zeros((4, 3))
    for name, (init, step) in ad.RULES.items():
        state = init(x)
        kw = {} if name == "adadelta" else {"lr": 0.1}
        delta, state = step(state, np.ones((4, 3)), **kw)
        assert delta.shape == (4, 3), name
        for field in state:
            if hasattr(field, "shape"):
                assert field.shape == (4, 3), (name, field)


def test_run_rule_schedule_and_projection():
    tr = ad.run_rule("adagrad", lambda z, t: np.ones_like(z), np.zeros(1), 4, lr=lambda t: 1.0 / t,
                     project=lambda z: np.maximum(z, -0.9))
    steps = np.diff(tr.x[:, 0])
    # step t: -lr(t) * 1/sqrt(t), with the projection stopping the run at -0.9
    expected = np.cumsum([-1.0 / t / math.sqrt(t) for t in range(1, 5)])
    np.testing.assert_allclose(tr.x[1:, 0], np.maximum(expected, -0.9))
    assert tr.x.shape == (5, 1) and np.all(steps <= 0)


@pytest.mark.parametrize(
    "call,argument",
    [
        (lambda: ad.adam_step(ad.adam_init(np.zeros(1)), np.ones(1), lr=0.1, beta1=1.0), "beta1"),
        (lambda: ad.adam_step(ad.adam_init(np.zeros(1)), np.ones(1), lr=0.1, beta2=-0.1), "beta2"),
        (lambda: ad.rmsprop_step(ad.rmsprop_init(np.zeros(1)), np.ones(1), lr=0.1, eps=-1.0), "eps"),
        (lambda: ad.adadelta_step(ad.adadelta_init(np.zeros(1)), np.ones(1), rho=float("nan")), "rho"),
        (lambda: ad.yogi_init(np.zeros(1), v0=-1.0), "v0"),
        (lambda: ad.run_rule("sgdx", lambda z, t: z, np.zeros(1), 1), "name"),
        (lambda: ad.run_rule("adam", lambda z, t: z, np.zeros(1), -1, lr=0.1), "steps"),
        (lambda: ad.run_rule("adam", lambda z, t: z, np.zeros(1), 2, lr=-0.1), "lr"),
        (lambda: ad.run_rule("adam", lambda z, t: z, np.zeros(1), 2, lr=lambda t: math.nan), "lr"),
    ],
)
def test_bad_input_names_the_argument(call, argument):
    with pytest.raises(InputError) as info:
        call()
    assert info.value.argument == argument
