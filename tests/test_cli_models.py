"""theorykit sharpness | gradcheck | eos MODULE:FACTORY on a user's model module.

The JAX model tests skip (naming JAX) where it is missing; the EoS exit-0 path runs on
theorykit's own NumPy network, so it needs neither framework."""
from __future__ import annotations

import json
import math
import textwrap

import numpy as np
import pytest

from theorykit.cli import main

NEEDS_JAX = "needs JAX: pip install 'theorykit[jax]'"

USER_MODULE = '''
import numpy as np
import jax.numpy as jnp
from theorykit.models import from_jax, load_digits


def linreg_loss(params, batch):
    X, y = batch
    return 0.5 * jnp.mean((X @ params["w"] + params["b"] - y) ** 2)


def make_problem():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 4)) * np.array([1.0, 2.0, 0.5, 1.5])
    return from_jax(linreg_loss, {"w": np.zeros(4), "b": np.zeros(())}, (X, X @ np.ones(4)))


def as_arguments():
    p = make_problem()
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 4)) * np.array([1.0, 2.0, 0.5, 1.5])
    return {"loss_fn": linreg_loss, "params": {"w": np.zeros(4), "b": np.zeros(())}, "batch": (X, X @ np.ones(4))}


def chebyshev_eos():
    import math
    from theorykit.numeric.eos import chebyshev_problem
    prob = chebyshev_problem(32)
    prob.w0 = np.asarray(prob.mlp.init_params(0, 1 / math.sqrt(3)))
    return prob


def custom_backward(scale=2.0):
    import jax

    @jax.custom_vjp
    def square(x):
        return x * x

    square.defvjp(lambda x: (x * x, x), lambda x, g: (scale * x * g,))  # d(x^2)/dx = 2x for scale 2

    def loss(params, batch):
        X, y = batch
        return 0.5 * jnp.mean(square(X @ params["w"] + params["b"] - y))

    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 4)) * np.array([1.0, 2.0, 0.5, 1.5])
    return from_jax(loss, {"w": np.zeros(4), "b": np.zeros(())}, (X, X @ np.ones(4)))


def wrong_backward():
    return custom_backward(scale=2.2)


def raises():
    raise ValueError("my factory is broken")


def wrong_kind():
    return 42
'''


@pytest.fixture
def user_module(tmp_path, monkeypatch):
    (tmp_path / "my_models.py").write_text(textwrap.dedent(USER_MODULE))
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def _gram(X):
    # the flat order is ravel_pytree's: dict keys sorted, so "b" comes before "w"
    Z = np.hstack([np.ones((X.shape[0], 1)), X])
    return Z.T @ Z / X.shape[0]


def test_sharpness_command_matches_the_hessian(user_module, capsys):
    pytest.importorskip("jax", reason=NEEDS_JAX)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 4)) * np.array([1.0, 2.0, 0.5, 1.5])
    top = np.linalg.eigvalsh(_gram(X))[::-1]
    assert main(["sharpness", "my_models:make_problem", "--k", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["params"] == 5 and out["examples"] == 40
    np.testing.assert_allclose(out["eigenvalues"], top[:2], rtol=1e-8)
    assert main(["sharpness", "my_models:as_arguments", "--lr", "0.1"]) == 0
    text = capsys.readouterr().out
    assert f"{top[0]:.6g}"[:6] in text and "2/lr = 20" in text
    # a preconditioner file: P^-1 H
    P = np.linspace(0.5, 2.0, 5)
    np.savez(user_module / "pre.npz", preconditioner=P)
    assert main(["sharpness", "my_models:make_problem", "--precond", "pre.npz", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)["eigenvalues"][0]
    assert got == pytest.approx(np.linalg.eigvals(_gram(X) / P[:, None]).real.max(), rel=1e-8)


def test_gradcheck_command(user_module, capsys):
    pytest.importorskip("jax", reason=NEEDS_JAX)
    assert main(["gradcheck", "my_models:make_problem"]) == 0
    out = capsys.readouterr().out
    assert out.count("passed") == 2
    assert main(["gradcheck", "my_models:make_problem", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["passed"] is True


def test_gradcheck_against_a_reference_model(user_module, capsys):
    """A custom backward (jax.custom_vjp) against the plain-autodiff model: right passes, wrong fails."""
    pytest.importorskip("jax", reason=NEEDS_JAX)
    assert main(["gradcheck", "my_models:custom_backward", "--reference", "my_models:make_problem"]) == 0
    assert "vs my_models:make_problem at 3 points: ✓ passed" in capsys.readouterr().out
    assert main(["gradcheck", "my_models:wrong_backward", "--reference", "my_models:make_problem", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["reference"]["passed"] is False and out["reference"]["grad_rel"] > 0.05
    assert out["gradient"]["passed"] is False  # finite differences catch it too
    assert main(["gradcheck", "my_models:make_problem", "--reference", "my_models:nope"]) == 2
    assert "--reference" in capsys.readouterr().err


def test_eos_command_reports_the_edge_and_draws(user_module, capsys):
    """theorykit's tanh net on T_4 at eta = 0.4 hovers at 2/eta (as eos.gd_sharpness measures)."""
    pytest.importorskip("matplotlib", reason="needs matplotlib: pip install 'theorykit[plot]'")
    rc = main(["eos", "my_models:chebyshev_eos", "--lr", "0.4", "--steps", "3000", "--every", "25",
               "--plot", "eos.png", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["at_edge"] and out["threshold"] == 5.0
    assert abs(out["plateau"]["ratio"] - 1) < 0.05
    assert out["sharpening"]["start"] < 0.9 * 5.0 < out["sharpening"]["reached"] + 0.5
    assert (user_module / "eos.png").stat().st_size > 10_000


def test_eos_command_never_reaching_the_edge_exits_1(user_module, capsys):
    pytest.importorskip("jax", reason=NEEDS_JAX)
    # linear regression: constant Hessian, sharpness lambda_max < 2/eta forever
    assert main(["eos", "my_models:make_problem", "--lr", "0.05", "--steps", "50", "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "never reached the edge" in out


def test_eos_adam_state_feeds_sharpness_precond(user_module, capsys):
    pytest.importorskip("jax", reason=NEEDS_JAX)
    main(["eos", "my_models:make_problem", "--lr", "0.01", "--steps", "20", "--every", "5", "--optimizer", "adam",
          "--save-state", "adam.npz", "--json"])
    run = json.loads(capsys.readouterr().out)
    assert run["optimizer"] == "adam" and run["momentum"] == 0.9
    assert main(["sharpness", "my_models:make_problem", "--precond", "adam.npz", "--json"]) == 0
    val = json.loads(capsys.readouterr().out)["eigenvalues"][0]
    assert math.isfinite(val) and val > 0


@pytest.mark.parametrize("argv, needle", [
    (["sharpness", "no_colon"], "MODULE:FACTORY"),
    (["sharpness", "no_such_module_xyz:f"], "cannot import 'no_such_module_xyz'"),
    (["sharpness", "my_models:missing"], "has no 'missing'"),
    (["sharpness", "my_models:raises"], "ValueError: my factory is broken"),
    (["sharpness", "my_models:wrong_kind"], "must return a Problem"),
    (["sharpness", "my_models:1bad"], "not a Python identifier"),
    (["sharpness", "bad-name:f"], "not a module name"),
    (["sharpness", "nofile.py:f"], "no such file"),
    (["sharpness", "my_models:make_problem", "--precond", "missing.npz"], "--precond: no such file"),
    (["eos", "my_models:make_problem", "--lr", "0.1", "--momentum", "0.5", "--optimizer", "gd"], "momentum"),
    (["eos", "my_models:make_problem", "--lr", "0.1", "--plot", "x.txt"], "--plot"),
    (["sharpness", "my_models:make_problem", "--k", "99"], "--k"),
])
def test_bad_input_is_one_clean_message(user_module, capsys, argv, needle):
    if "my_models" in argv[1]:
        pytest.importorskip("jax", reason=NEEDS_JAX)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err
