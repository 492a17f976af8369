"""Real data that ships with theorykit: the 8x8 handwritten digits, and small nets on them.

``load_digits(n, seed)``: images scaled to [0, 1] (pixels are 0..16), shape (n, 64),
and labels 0..9, from ``data/digits.npz`` (see data/README.md: UCI, CC BY 4.0); a
seeded subset of n examples, or all 1797.

``digits_problem(arch, framework, ...)``: a small MLP (64 -> width -> 10, tanh; ``depth`` hidden layers) or a
small CNN (two 3x3 valid convolutions with tanh, 1 -> c1 -> c2 channels on the 8x8
image, then a linear layer to 10 classes) with the squared loss
L = (1/2n) sum_i |f(x_i) - onehot(y_i)|^2, built in JAX (``from_jax``) or PyTorch
(``from_torch``) from the *same* NumPy initialization (W ~ N(0, 1/fan_in), biases 0).
Both flatten the parameters in the same order (layer by layer, weight then bias,
weights row-major as (out, in) / (out, in, kh, kw)), so their flat vectors coincide and
their runs can be compared step for step.
"""
from __future__ import annotations

import functools
from importlib import resources
from typing import Any, NamedTuple

import numpy as np

from ...errors import InputError

__all__ = ["ARCHS", "FRAMEWORKS", "Digits", "load_digits", "init_params", "digits_problem"]

ARCHS = ("mlp", "cnn")
FRAMEWORKS = ("jax", "torch")
N_DIGITS = 1797


class Digits(NamedTuple):
    X: np.ndarray  # (n, 64) float64 in [0, 1]
    y: np.ndarray  # (n,) int64 labels 0..9
    Y: np.ndarray  # (n, 10) one-hot float64


@functools.lru_cache(maxsize=1)
def _raw() -> tuple[np.ndarray, np.ndarray]:
    with resources.files("theorykit.numeric.models").joinpath("data/digits.npz").open("rb") as fh:
        z = np.load(fh)
        return z["images"].astype(np.float64) / 16.0, z["labels"].astype(np.int64)


def load_digits(n: int | None = None, seed: int = 0) -> Digits:
    """``n`` digits (all 1797 when None) drawn without replacement by ``seed``, in a fixed order."""
    X, y = _raw()
    if n is not None:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= N_DIGITS:
            raise InputError("n", f"expected an integer in [1, {N_DIGITS}] or None, got {n!r}")
        idx = np.sort(np.random.default_rng(seed).choice(N_DIGITS, size=int(n), replace=False))
        X, y = X[idx], y[idx]
    return Digits(X.copy(), y.copy(), np.eye(10)[y])


def _layer_shapes(arch: str, width: int, channels: tuple[int, int], depth: int = 1) -> list[tuple[tuple[int, ...], int]]:
    """[(weight shape, fan_in)] layer by layer."""
    if arch == "mlp":
        sizes = [64] + [width] * depth + [10]
        return [((b, a), a) for a, b in zip(sizes[:-1], sizes[1:])]
    c1, c2 = channels
    return [((c1, 1, 3, 3), 9), ((c2, c1, 3, 3), 9 * c1), ((10, c2 * 16), c2 * 16)]


def init_params(arch: str = "mlp", *, width: int = 32, depth: int = 1, channels: tuple[int, int] = (4, 8),
                seed: int = 0, scale: float = 1.0) -> list[tuple[np.ndarray, np.ndarray]]:
    """[(W, b)] per layer: W ~ N(0, scale^2/fan_in), b = 0 (host float64). ``depth``: hidden layers of the MLP."""
    _check_arch(arch, width, channels)
    if isinstance(depth, bool) or not isinstance(depth, (int, np.integer)) or depth < 1:
        raise InputError("depth", f"expected an integer >= 1, got {depth!r}")
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal(shape) * scale / np.sqrt(fan_in), np.zeros(shape[0]))
            for shape, fan_in in _layer_shapes(arch, width, channels, int(depth))]


def _check_arch(arch: str, width: int, channels: Any) -> None:
    if arch not in ARCHS:
        raise InputError("arch", f"unknown architecture {arch!r}; choose one of {', '.join(ARCHS)}")
    if isinstance(width, bool) or not isinstance(width, (int, np.integer)) or width < 1:
        raise InputError("width", f"expected an integer >= 1, got {width!r}")
    if (not isinstance(channels, (tuple, list)) or len(channels) != 2
            or not all(isinstance(c, (int, np.integer)) and c >= 1 for c in channels)):
        raise InputError("channels", f"expected two integers >= 1, got {channels!r}")


def _jax_problem(arch: str, params, data: Digits, batch_size, seed):
    from .jax_adapter import from_jax, import_jax

    jax = import_jax()
    jnp = jax.numpy

    def forward(p, X):
        if arch == "mlp":
            h = X
            for W, b in p[:-1]:
                h = jnp.tanh(h @ W.T + b)
            return h @ p[-1][0].T + p[-1][1]
        (K1, c1), (K2, c2), (W, b) = p
        h = X.reshape(-1, 1, 8, 8)
        for K, c in ((K1, c1), (K2, c2)):
            h = jax.lax.conv_general_dilated(h, K, (1, 1), "VALID", dimension_numbers=("NCHW", "OIHW", "NCHW"))
            h = jnp.tanh(h + c[None, :, None, None])
        return h.reshape(h.shape[0], -1) @ W.T + b

    def digits_mse(p, batch):
        X, Y = batch
        return 0.5 * jnp.mean(jnp.sum((forward(p, X) - Y) ** 2, axis=1))

    return from_jax(digits_mse, [tuple(layer) for layer in params], (data.X, data.Y), batch_size=batch_size,
                    seed=seed)


def _torch_module(arch: str, params):
    from .torch_adapter import import_torch

    torch = import_torch()
    nn = torch.nn
    if arch == "mlp":
        mods = []
        for W, _ in params[:-1]:
            mods += [nn.Linear(W.shape[1], W.shape[0]), nn.Tanh()]
        net = nn.Sequential(*mods, nn.Linear(params[-1][0].shape[1], 10))
        layers = [m for m in net if isinstance(m, nn.Linear)]
    else:
        (K1, _), (K2, _), _ = params
        net = nn.Sequential(nn.Unflatten(1, (1, 8, 8)), nn.Conv2d(1, K1.shape[0], 3), nn.Tanh(),
                            nn.Conv2d(K1.shape[0], K2.shape[0], 3), nn.Tanh(), nn.Flatten(),
                            nn.Linear(K2.shape[0] * 16, 10))
        layers = [net[1], net[3], net[6]]
    net = net.double()
    with torch.no_grad():
        for layer, (W, b) in zip(layers, params):
            layer.weight.copy_(torch.from_numpy(W))
            layer.bias.copy_(torch.from_numpy(b))
    return net


def digits_mse_torch(out, Y):
    """(1/2n) sum_i |out_i - Y_i|^2, the same loss as the JAX model's."""
    return 0.5 * ((out - Y) ** 2).sum(dim=1).mean()


def digits_problem(arch: str = "mlp", framework: str = "jax", *, n: int | None = 256, width: int = 32,
                   depth: int = 1, channels: tuple[int, int] = (4, 8), data_seed: int = 0, init_seed: int = 0,
                   init_scale: float = 1.0, batch_size: int | None = None, seed: int = 0, device: Any = None):
    """A digits net as a ``ModelProblem`` (module docstring); its ``w0`` is the shared initialization."""
    if framework not in FRAMEWORKS:
        raise InputError("framework", f"unknown framework {framework!r}; choose one of {', '.join(FRAMEWORKS)}")
    data = load_digits(n, data_seed)
    params = init_params(arch, width=width, depth=depth, channels=tuple(channels), seed=init_seed, scale=init_scale)
    if framework == "jax":
        return _jax_problem(arch, params, data, batch_size, seed)
    from .torch_adapter import from_torch

    # one thread: these nets are far too small to gain from more, and a busy CPU makes OpenMP
    # oversubscription 10-30x slower
    return from_torch(_torch_module(arch, params), digits_mse_torch, (data.X, data.Y), batch_size=batch_size,
                      seed=seed, device=device, num_threads=1)
