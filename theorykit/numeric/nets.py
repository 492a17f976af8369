"""Small multilayer perceptrons as optimization problems over one flat vector.

``MLP`` describes the architecture; ``NetProblem(mlp, X, Y)`` fixes the data
and implements the ``Problem`` protocol over R^P: ``loss``, ``grad``
(hand-written backpropagation), ``hvp`` (exact Hessian-vector products by
Pearlmutter's R-operator, in ``nets_hvp.py``) and ``hessian`` (columns of
HVPs, small P only).  Everything is array-API code: it runs on NumPy and CuPy.

Architecture, for ``sizes = (d_0, d_1, ..., d_D)`` and n samples (rows of X):

    a_0 = X                                   (n, d_0)
    z_l = a_{l-1} W_l^T + b_l                 (n, d_l),  W_l: (d_l, d_{l-1})
    a_l = act(N(z_l))                         hidden layers l < D
    output o = z_D                            (no activation, no normalization)

Losses (mean over samples):
  * ``"mse"``: L = (1/(2n)) sum_i ||o_i - y_i||^2 (the 1/2 makes the output
    Hessian I/n, the convention of the edge-of-stability literature).
  * ``"cross_entropy"`` (alias ``"ce"``): L = (1/n) sum_i [logsumexp(o_i) - t_i . o_i]
    with t_i a one-hot row (integer labels) or a probability row (soft labels);
    log-sum-exp is shifted by the row max so it never overflows.

Activations: ``tanh``, ``relu`` (second derivative taken as 0: the Hessian away
from the kinks), ``linear`` and ``gelu``.  GELU uses the tanh approximation of
Hendrycks & Gimpel (2016, arXiv:1606.08415), 0.5 x (1 + tanh(sqrt(2/pi)(x + 0.044715 x^3))),
because the array API has no ``erf``; its first and second derivatives are exact
for that formula.

Normalization ``norm`` (hidden layers only; never the output layer):
  * ``"layer"`` (also ``True``): layer normalization without affine parameters
    and *without epsilon*, N(z) = sqrt(d_l) (z - mean z) / ||z - mean z|| per
    sample (Ba, Kiros & Hinton 2016, arXiv:1607.06450).  Normalized layers have
    no bias (a bias before a norm layer would break the invariance).  The loss
    is then invariant under W_l -> c W_l for every hidden layer l and c > 0:
    scale invariance of the whole matrix W_l (Arora, Li & Lyu 2018,
    arXiv:1812.03981).  Dropping epsilon keeps the invariance exact; a sample
    whose pre-activations are all equal raises ``InputError``.
  * ``"weight"``: weight normalization without gain, W_l = V_l with each row
    divided by its norm (Salimans & Kingma 2016, arXiv:1602.07868).  The loss is
    invariant under scaling any *row* of V_l (hence also all of V_l) by c > 0;
    biases are kept and are not invariant.  A zero row raises ``InputError``.
  * ``False`` / ``None``: no normalization.
For c a power of two the invariance holds bit for bit in floating point (all
scalings are exact); for other c to rounding error.

Flat layout: for l = 1..D, W_l row-major then b_l (absent for layer-norm
hidden layers); ``MLP.spec`` records the shapes and offsets.
"""
from __future__ import annotations

import math
import numbers
from typing import Any, NamedTuple

import numpy as np
from array_api_compat import array_namespace

from ..errors import InputError
from .backend import asarray_checked, get_namespace, to_numpy

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "NORMS",
    "LayerSpec",
    "ParamSpec",
    "LayerParams",
    "MLP",
    "NetProblem",
    "unflatten",
    "flatten",
]

ACTIVATIONS = ("tanh", "relu", "gelu", "linear")
LOSSES = ("mse", "cross_entropy")
NORMS = (None, "layer", "weight")
_LOSS_ALIASES = {"mse": "mse", "cross_entropy": "cross_entropy", "ce": "cross_entropy"}
_GELU_K = math.sqrt(2.0 / math.pi)  # tanh-approximation constants (Hendrycks & Gimpel 2016)
_GELU_C = 0.044715


class LayerSpec(NamedTuple):
    """Where one layer's parameters live in the flat vector."""

    weight_shape: tuple[int, int]  # (fan_out, fan_in)
    bias_size: int  # fan_out, or 0 when the layer has no bias
    offset: int  # index of W[0, 0] in the flat vector; the bias follows W


class ParamSpec(NamedTuple):
    """The unflatten spec: one LayerSpec per layer, and the total size P."""

    layers: tuple[LayerSpec, ...]
    size: int


class LayerParams(NamedTuple):
    W: Any  # (fan_out, fan_in)
    b: Any  # (fan_out,) or None


def unflatten(w: Any, spec: ParamSpec) -> list[LayerParams]:
    """Views of the flat vector ``w`` (P,) as per-layer (W, b)."""
    # NumPy's own reshape: the array-API wrapper's dispatch costs more than the view on a small net
    reshape = _np_reshape if isinstance(w, np.ndarray) else array_namespace(w).reshape
    out = []
    for layer in spec.layers:
        fo, fi = layer.weight_shape
        start = layer.offset
        W = reshape(w[start : start + fo * fi], (fo, fi))
        b = w[start + fo * fi : start + fo * fi + layer.bias_size] if layer.bias_size else None
        out.append(LayerParams(W, b))
    return out


def flatten(params: list[LayerParams], spec: ParamSpec) -> Any:
    """Inverse of ``unflatten``: one flat vector (P,)."""
    if isinstance(params[0].W, np.ndarray):
        reshape, concat = _np_reshape, np.concatenate  # the same arrays, without the wrappers' dispatch
    else:
        xp = array_namespace(params[0].W)
        reshape, concat = xp.reshape, xp.concat
    parts = []
    for p, layer in zip(params, spec.layers):
        parts.append(reshape(p.W, (-1,)))
        if layer.bias_size:
            parts.append(p.b)
    return concat(parts)


def _np_reshape(a, shape):
    return a.reshape(shape)


def _canonical_norm(norm: Any) -> str | None:
    if norm is False or norm is None:
        return None
    if norm is True:
        return "layer"
    if isinstance(norm, str) and norm in ("layer", "weight"):
        return norm
    raise InputError("norm", f"expected False, True, 'layer' or 'weight', got {norm!r}")


class MLP:
    """A fully connected network architecture (no data, no parameters).

    ``sizes``: layer widths (d_0, ..., d_D), D >= 1; ``activation`` in
    ACTIVATIONS; ``loss`` "mse" or "cross_entropy" (≥ 2 classes); ``norm``
    False, True/"layer" or "weight" (see the module docstring).
    """

    def __init__(self, sizes=(1, 100, 1), activation: str = "tanh", loss: str = "mse", norm: Any = False):
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
            raise InputError("sizes", f"expected a sequence of layer widths like (1, 100, 1), got {sizes!r}")
        if len(sizes) < 2:
            raise InputError("sizes", f"need at least an input and an output width, got {tuple(sizes)!r}")
        for s in sizes:
            if isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 1:
                raise InputError("sizes", f"widths must be positive integers, got {tuple(sizes)!r}")
        if not isinstance(activation, str) or activation not in ACTIVATIONS:
            raise InputError("activation", f"unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}")
        if not isinstance(loss, str) or loss not in _LOSS_ALIASES:
            raise InputError("loss", f"unknown loss {loss!r}; choose one of mse, cross_entropy (alias ce)")
        self.sizes = tuple(int(s) for s in sizes)
        self.activation = activation
        self.loss = _LOSS_ALIASES[loss]
        self.norm = _canonical_norm(norm)
        if self.loss == "cross_entropy" and self.sizes[-1] < 2:
            raise InputError("sizes", "cross_entropy needs at least 2 output classes (sizes[-1] >= 2)")
        self.spec = self._make_spec()

    @property
    def depth(self) -> int:
        """Number of weight layers D."""
        return len(self.sizes) - 1

    @property
    def num_params(self) -> int:
        return self.spec.size

    def _make_spec(self) -> ParamSpec:
        layers, offset = [], 0
        for l in range(self.depth):
            fi, fo = self.sizes[l], self.sizes[l + 1]
            hidden = l < self.depth - 1
            bias = 0 if (hidden and self.norm == "layer") else fo
            layers.append(LayerSpec((fo, fi), bias, offset))
            offset += fo * fi + bias
        return ParamSpec(tuple(layers), offset)

    def scale_invariant_groups(self) -> list[tuple[int, int]]:
        """Index ranges [start, stop) of the flat vector on which the loss is
        invariant under positive scaling: each hidden layer's W for "layer"
        norm, each row of each hidden V for "weight" norm, none without norm."""
        groups = []
        for layer in self.spec.layers[:-1]:
            fo, fi = layer.weight_shape
            if self.norm == "layer":
                groups.append((layer.offset, layer.offset + fo * fi))
            elif self.norm == "weight":
                groups.extend((layer.offset + r * fi, layer.offset + (r + 1) * fi) for r in range(fo))
        return groups

    def init_params(self, rng: Any = 0, scale: float = 1.0, *, xp: Any = None) -> Any:
        """A flat parameter vector (P,): W_l ~ N(0, scale^2 / fan_in) (LeCun),
        biases 0.  ``rng`` is a NumPy Generator or an int seed; ``xp`` the
        target namespace (NumPy by default).  Drawn on the host so the same
        seed gives the same network on every backend."""
        if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
            rng = np.random.default_rng(int(rng))
        if not isinstance(rng, np.random.Generator):
            raise InputError("rng", f"expected a numpy.random.Generator or an int seed, got {type(rng).__name__}")
        try:
            scale = float(scale)
        except (TypeError, ValueError) as exc:
            raise InputError("scale", f"expected a real number, got {scale!r}") from exc
        if not (math.isfinite(scale) and scale >= 0):
            raise InputError("scale", f"must be finite and >= 0, got {scale}")
        w = np.zeros(self.spec.size)
        for layer in self.spec.layers:
            fo, fi = layer.weight_shape
            w[layer.offset : layer.offset + fo * fi] = rng.standard_normal(fo * fi) * (scale / math.sqrt(fi))
        xp = get_namespace("numpy") if xp is None else xp
        return xp.asarray(w, dtype=xp.float64)

    def __repr__(self) -> str:
        return (
            f"MLP(sizes={self.sizes}, activation={self.activation!r}, loss={self.loss!r}, "
            f"norm={self.norm!r})  # P = {self.num_params}"
        )


# ---------------------------------------------------------------------------
# Pieces shared by the gradient and the R-operator (nets_hvp.py).


def act_and_derivs(name: str, x: Any, xp: Any, second: bool = True) -> tuple[Any, Any, Any]:
    """(act(x), act'(x), act''(x)) elementwise; act'' is None when ``second`` is False (a gradient
    needs no act'': on a small net's training step the skipped products are a tenth of the time)."""
    if name == "tanh":
        t = xp.tanh(x)
        d = 1.0 - t * t
        return t, d, (-2.0 * t * d if second else None)
    if name == "relu":
        pos = xp.astype(x > 0, x.dtype)
        return x * pos, pos, (xp.zeros_like(x) if second else None)
    if name == "linear":
        return x, xp.ones_like(x), (xp.zeros_like(x) if second else None)
    # gelu, tanh approximation: u = k(x + c x^3), act = x (1 + tanh u) / 2
    u = _GELU_K * (x + _GELU_C * x**3)
    t = xp.tanh(u)
    s = 1.0 - t * t
    du = _GELU_K * (1.0 + 3.0 * _GELU_C * x * x)
    d2u = 6.0 * _GELU_K * _GELU_C * x
    act = 0.5 * x * (1.0 + t)
    d1 = 0.5 * (1.0 + t) + 0.5 * x * s * du
    d2 = s * (du + 0.5 * x * (d2u - 2.0 * t * du * du))
    return act, d1, d2


class UnitNorm(NamedTuple):
    """y = x / ||x|| along the last axis, kept for the backward passes."""

    y: Any  # same shape as x: unit rows
    r: Any  # x.shape[:-1] + (1,): the norms


def unit_forward(x: Any, xp: Any, what: str) -> UnitNorm:
    r = xp.sqrt(xp.sum(x * x, axis=-1, keepdims=True))
    if not bool(xp.all(r > 0)):
        raise InputError("w", f"{what} is zero, where the normalization is undefined")
    return UnitNorm(x / r, r)


def unit_jvp(u: UnitNorm, dx: Any, xp: Any) -> Any:
    """Directional derivative of x/||x||: (I - y y^T) dx / r (rowwise)."""
    return (dx - u.y * xp.sum(u.y * dx, axis=-1, keepdims=True)) / u.r


def unit_vjp(u: UnitNorm, g: Any, xp: Any) -> Any:
    """Pullback of g through x/||x||; the Jacobian is symmetric, so = unit_jvp."""
    return unit_jvp(u, g, xp)


def unit_vjp_r(u: UnitNorm, dx: Any, g: Any, dg: Any, xp: Any) -> Any:
    """R-operator of unit_vjp: derivative of (g - y (y.g)) / r along (dx, dg)."""
    yg = xp.sum(u.y * g, axis=-1, keepdims=True)
    dr = xp.sum(u.y * dx, axis=-1, keepdims=True)  # d||x|| = y . dx
    dy = (dx - u.y * dr) / u.r  # d(x/||x||)
    num = dg - dy * yg - u.y * xp.sum(dy * g, axis=-1, keepdims=True) - u.y * xp.sum(u.y * dg, axis=-1, keepdims=True)
    return num / u.r - (g - u.y * yg) * dr / (u.r * u.r)


def center(x: Any, xp: Any) -> Any:
    """x minus its mean along the last axis (linear and self-adjoint)."""
    return x - xp.mean(x, axis=-1, keepdims=True)


class Hidden(NamedTuple):
    """Forward quantities of one hidden layer (n samples, width m)."""

    a_in: Any  # (n, fan_in) input activations
    W: Any  # (m, fan_in) effective weights (after weight norm)
    wn: UnitNorm | None  # weight norm of the raw rows, or None
    ln: UnitNorm | None  # layer norm of the centered pre-activations, or None
    d1: Any  # (n, m) act'(normalized pre-activation)
    d2: Any  # (n, m) act''(normalized pre-activation)


class Forward(NamedTuple):
    hidden: list[Hidden]  # D - 1 entries
    a_last: Any  # (n, d_{D-1}) input of the output layer
    W_last: Any  # (d_D, d_{D-1})
    out: Any  # (n, d_D) network output


def forward(mlp: MLP, w: Any, X: Any, xp: Any) -> Forward:
    """Forward pass keeping what backprop and the R-operator need."""
    params = unflatten(w, mlp.spec)
    a, hidden = X, []
    for l, p in enumerate(params[:-1]):
        wn = unit_forward(p.W, xp, f"a row of layer {l + 1}'s weights") if mlp.norm == "weight" else None
        W = wn.y if wn is not None else p.W
        z = a @ W.T
        if p.b is not None:
            z = z + p.b
        ln = None
        if mlp.norm == "layer":
            ln = unit_forward(center(z, xp), xp, f"the spread of layer {l + 1}'s pre-activations for some sample")
            z = math.sqrt(z.shape[-1]) * ln.y
        act, d1, d2 = act_and_derivs(mlp.activation, z, xp)
        hidden.append(Hidden(a, W, wn, ln, d1, d2))
        a = act
    last = params[-1]
    out = a @ last.W.T + last.b
    return Forward(hidden, a, last.W, out)


def output_loss(kind: str, out: Any, T: Any, xp: Any) -> tuple[Any, Any]:
    """(loss as a 0-d array, dL/d out) for outputs (n, C) and targets T (n, C)."""
    n = out.shape[0]
    if kind == "mse":
        r = out - T
        return xp.sum(r * r) / (2 * n), r / n
    m = xp.max(out, axis=1, keepdims=True)
    e = xp.exp(out - m)
    s = xp.sum(e, axis=1, keepdims=True)
    lse = m + xp.log(s)
    loss = (xp.sum(lse) - xp.sum(T * out)) / n
    return loss, (e / s - T) / n


def backward(mlp: MLP, fw: Forward, g_out: Any, xp: Any) -> Any:
    """Backpropagation of dL/d out to the flat gradient (P,)."""
    grads: list[LayerParams] = [None] * mlp.depth  # type: ignore[list-item]
    delta = g_out
    grads[-1] = LayerParams(delta.T @ fw.a_last, xp.sum(delta, axis=0))
    W_next = fw.W_last
    for l in range(mlp.depth - 2, -1, -1):
        h = fw.hidden[l]
        g_act = (delta @ W_next) * h.d1
        delta = math.sqrt(g_act.shape[-1]) * center(unit_vjp(h.ln, g_act, xp), xp) if h.ln is not None else g_act
        gW = delta.T @ h.a_in
        if h.wn is not None:
            gW = unit_vjp(h.wn, gW, xp)
        gb = xp.sum(delta, axis=0) if mlp.spec.layers[l].bias_size else None
        grads[l] = LayerParams(gW, gb)
        W_next = h.W
    return flatten(grads, mlp.spec)


def _plain_loss_and_grad(mlp: MLP, w: np.ndarray, X: Any, T: Any, xp: Any) -> tuple[Any, Any]:
    """``forward`` + ``output_loss`` + ``backward`` op for op (the same products and sums in the
    same order, so bit for bit the same) for a NumPy MLP without normalization, without their
    per-layer NamedTuples and views: a training step of a small net is mostly that overhead."""
    layers = mlp.spec.layers
    a, saved = X, []
    for layer in layers[:-1]:
        (fo, fi), o = layer.weight_shape, layer.offset
        W = w[o : o + fo * fi].reshape((fo, fi))
        z = a @ W.T
        if layer.bias_size:
            z = z + w[o + fo * fi : o + fo * fi + layer.bias_size]
        act, d1, _ = act_and_derivs(mlp.activation, z, xp, second=False)
        saved.append((a, W, d1))
        a = act
    last = layers[-1]
    (fo, fi), o = last.weight_shape, last.offset
    W_next = w[o : o + fo * fi].reshape((fo, fi))
    out = a @ W_next.T + w[o + fo * fi : o + fo * fi + last.bias_size]
    if mlp.loss == "mse":  # output_loss's lines, with NumPy's reduction in place of the wrapped xp.sum
        r = out - T
        loss, delta = np.add.reduce(r * r, axis=None) / (2 * out.shape[0]), r / out.shape[0]
    else:
        loss, delta = output_loss(mlp.loss, out, T, xp)
    parts = [np.add.reduce(delta, axis=0), (delta.T @ a).reshape(-1)]  # reversed: last layer first
    for l in range(len(layers) - 2, -1, -1):
        a_in, W, d1 = saved[l]
        delta = (delta @ W_next) * d1
        if layers[l].bias_size:
            parts.append(np.add.reduce(delta, axis=0))
        parts.append((delta.T @ a_in).reshape(-1))
        W_next = W
    return loss, np.concatenate(parts[::-1])


# ---------------------------------------------------------------------------


#: Largest P for which ``NetProblem`` builds the whole Hessian in one batched pass (its
#: ``_hessian_trusted``): the pass holds P x n x width numbers per layer, and past a few hundred
#: parameters Lanczos on single HVPs is cheaper than a dense eigendecomposition.
DENSE_HESSIAN_MAX = 256


class NetProblem:
    """``mlp`` on data (X, Y) as a Problem over R^P (P = mlp.num_params).

    X: (n, d_0).  Y: for "mse", (n, d_D) or (n,) when d_D = 1; for
    "cross_entropy", integer labels (n,) in [0, C) or probability rows (n, C).
    The namespace ``xp`` is X's (NumPy arrays and lists give NumPy).
    ``L``, ``mu``, ``x_star``, ``f_star`` are None: unknown for a network.

    Like the other Problems, ``loss``/``grad``/``hvp`` also take a batch of
    points w (batch, P) (rows evaluated one after another; loss returns
    (batch,)), so ``methods.run`` can run several starts at once.  ``loss``
    returns a 0-d array for one point (no device sync on CuPy).
    """

    L = None
    mu = None
    x_star = None
    f_star = None
    max_hessian_dim = 2000  # hessian() builds P HVPs and a P x P matrix

    def __init__(self, mlp: MLP, X: Any, Y: Any):
        if not isinstance(mlp, MLP):
            raise InputError("mlp", f"expected an MLP, got {type(mlp).__name__}")
        try:
            xp = array_namespace(X)
        except TypeError:
            xp = get_namespace("numpy")
        X = asarray_checked(X, "X", xp, ndim=2)
        if X.shape[0] < 1 or X.shape[1] != mlp.sizes[0]:
            raise InputError("X", f"expected shape (n >= 1, {mlp.sizes[0]}) for sizes={mlp.sizes}, got {tuple(X.shape)}")
        self.mlp, self.xp, self.X = mlp, xp, X
        self.T = self._targets(Y, X.shape[0])
        self.dim = mlp.num_params

    def _targets(self, Y: Any, n: int) -> Any:
        xp, C = self.xp, self.mlp.sizes[-1]
        if self.mlp.loss == "mse":
            T = asarray_checked(Y, "Y", xp, ndim=(1, 2))
            if T.ndim == 1 and C == 1:
                T = xp.reshape(T, (-1, 1))
            if tuple(T.shape) != (n, C):
                raise InputError("Y", f"expected shape ({n}, {C}) (or ({n},) when the output width is 1), got {tuple(T.shape)}")
            return T
        Yh = to_numpy(Y)  # labels are validated on the host (small, and dtype checks are simpler)
        if Yh.ndim == 1:
            if not np.issubdtype(Yh.dtype, np.integer):
                raise InputError("Y", f"class labels must be integers, got dtype {Yh.dtype}")
            if Yh.shape[0] != n:
                raise InputError("Y", f"expected {n} labels, got {Yh.shape[0]}")
            if not bool(np.all((Yh >= 0) & (Yh < C))):
                raise InputError("Y", f"labels must lie in [0, {C})")
            return xp.asarray((Yh[:, None] == np.arange(C)[None, :]).astype(np.float64))
        T = asarray_checked(Yh, "Y", xp, ndim=2)
        if tuple(T.shape) != (n, C):
            raise InputError("Y", f"expected integer labels ({n},) or probability rows ({n}, {C}), got {tuple(T.shape)}")
        if not bool(xp.all(T >= 0)) or not bool(xp.all(xp.abs(xp.sum(T, axis=1) - 1.0) <= 1e-12 * C)):
            raise InputError("Y", "soft labels must be nonnegative rows summing to 1")
        return T

    def _check_w(self, w: Any, name: str = "w", ndim: Any = 1) -> Any:
        w = asarray_checked(w, name, self.xp, ndim=ndim)
        if w.shape[-1] != self.dim:
            raise InputError(name, f"expected flat vectors of length P = {self.dim} for {self.mlp!r}, got {w.shape[-1]}")
        return w

    def _rows(self, fn, w: Any, *more: Any) -> Any:
        """fn(w, *more) per row of a batch (batch, P), stacked."""
        return self.xp.stack([fn(w[i, ...], *(m[i, ...] for m in more)) for i in range(w.shape[0])])

    def output(self, w: Any) -> Any:
        """Network outputs (n, d_D)."""
        w = self._check_w(w)
        return forward(self.mlp, w, self.X, self.xp).out

    def loss(self, w: Any) -> Any:
        w = self._check_w(w, ndim=(1, 2))
        if w.ndim == 2:
            return self._rows(self.loss, w)
        fw = forward(self.mlp, w, self.X, self.xp)
        return output_loss(self.mlp.loss, fw.out, self.T, self.xp)[0]

    def loss_and_grad(self, w: Any) -> tuple[Any, Any]:
        """(0-d loss, gradient (P,)) from one forward and one backward pass."""
        w = self._check_w(w)
        fw = forward(self.mlp, w, self.X, self.xp)
        loss, g_out = output_loss(self.mlp.loss, fw.out, self.T, self.xp)
        return loss, backward(self.mlp, fw, g_out, self.xp)

    def _loss_and_grad_trusted(self, w: Any) -> tuple[Any, Any]:
        """``loss_and_grad`` for a w (P,) of this namespace that the caller produced (a training loop):
        no re-validation per step; a non-finite w gives a non-finite loss instead of an InputError."""
        if isinstance(w, np.ndarray) and self.mlp.norm is None and self.mlp.spec.layers[-1].bias_size:
            return _plain_loss_and_grad(self.mlp, w, self.X, self.T, self.xp)
        fw = forward(self.mlp, w, self.X, self.xp)
        loss, g_out = output_loss(self.mlp.loss, fw.out, self.T, self.xp)
        return loss, backward(self.mlp, fw, g_out, self.xp)

    def _hvp_trusted(self, w: Any, v: Any) -> Any:
        """``hvp`` for a validated w (P,) and a v (P,) of this namespace (Lanczos' matvecs)."""
        from .nets_hvp import hvp

        return hvp(self.mlp, w, v, self.X, self.T, self.xp)

    def _hvp_operator_trusted(self, w: Any) -> Any:
        """v -> H(w) v at a validated w (P,) over one prepared forward/backward pass (Lanczos at one
        point: no comparison of w, X and T per matvec, as ``hvp``'s reuse needs)."""
        from .nets_hvp import hvp_operator

        return hvp_operator(self.mlp, w, self.X, self.T, self.xp)

    def _hessian_trusted(self, w: Any) -> Any:
        """The dense Hessian (P, P) at a validated w (P,) for a NumPy MLP without normalization and
        P <= DENSE_HESSIAN_MAX: ``nets_hvp.hessian_one_hidden`` for one hidden layer, else one batched
        R-operator pass (``nets_hvp.hessian_plain``); None otherwise (the caller falls back to HVPs)."""
        if not (isinstance(w, np.ndarray) and self.mlp.norm is None and self.dim <= DENSE_HESSIAN_MAX):
            return None
        from .nets_hvp import hessian_one_hidden, hessian_plain, prepare

        if self.mlp.depth == 2:  # one hidden layer: Gauss-Newton plus per-unit blocks, ~8x cheaper at P = 97
            H = hessian_one_hidden(self.mlp, w, self.X, self.T)
            if bool(np.all(np.isfinite(H))):
                return H
            # past overflow (inf - inf in the Gauss-Newton term) the R-operator's lines decide, as before
        return hessian_plain(self.mlp, prepare(self.mlp, w, self.X, self.T, self.xp))

    def grad(self, w: Any) -> Any:
        w = self._check_w(w, ndim=(1, 2))
        if w.ndim == 2:
            return self._rows(self.grad, w)
        return self.loss_and_grad(w)[1]

    def hvp(self, w: Any, v: Any) -> Any:
        """Exact H(w) v by the R-operator (one forward, R-forward, backward, R-backward)."""
        from .nets_hvp import hvp

        w = self._check_w(w, ndim=(1, 2))
        v = self._check_w(v, "v", ndim=w.ndim)
        if w.ndim == 2:
            if v.shape[0] != w.shape[0]:
                raise InputError("v", f"expected {w.shape[0]} rows like w, got {v.shape[0]}")
            # all rows in one batched pass (k x n x width numbers per layer; larger batches go row by row)
            if (isinstance(w, np.ndarray) and self.mlp.norm is None
                    and w.shape[0] * self.X.shape[0] * max(self.mlp.sizes) <= 2**20):
                from .nets_hvp import hvp_points_plain

                return hvp_points_plain(self.mlp, w, v, self.X, self.T)
            return self._rows(self.hvp, w, v)
        return hvp(self.mlp, w, v, self.X, self.T, self.xp)

    def hessian(self, w: Any) -> Any:
        """The P x P Hessian, column j = hvp(w, e_j); P <= max_hessian_dim."""
        if self.dim > self.max_hessian_dim:
            raise InputError(
                "w", f"hessian() is for small nets: P = {self.dim} > max_hessian_dim = {self.max_hessian_dim}; use hvp()"
            )
        w = self._check_w(w)
        dense = self._hessian_trusted(w)
        if dense is not None:
            return dense.T  # column j = H e_j (the same matrix up to rounding: H is symmetric)
        xp = self.xp
        eye = xp.eye(self.dim, dtype=xp.float64)
        cols = [self.hvp(w, eye[:, j]) for j in range(self.dim)]
        return xp.stack(cols, axis=1)

    def __repr__(self) -> str:
        return f"NetProblem({self.mlp!r}, n={self.X.shape[0]})"
