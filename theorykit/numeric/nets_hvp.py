"""Exact Hessian-vector products for ``nets.MLP`` by Pearlmutter's R-operator.

Pearlmutter (1994), "Fast exact multiplication by the Hessian", Neural
Computation 6(1).  R{.} = d/dt (.)(w + t v) at t = 0.  Apply it to every line
of the forward pass (the R-forward pass: R{z}, R{a}, R{out}) and of the
backward pass (the R-backward pass: R{delta}, R{dL/dW}); the R of the gradient
is H v.  No finite differences: the result is exact up to rounding, and costs
a small constant times one gradient (about 3x in matrix products).

Per line, with v = (dW_l, db_l) and ' the derivative of the activation:
  R{z_l}     = R{a_{l-1}} W_l^T + a_{l-1} R{W_l}^T + db_l
  R{a_l}     = act'(z_l) * R{N(z_l)}
  R{g_a}     = R{delta_{l+1}} W_{l+1} + delta_{l+1} R{W_{l+1}}
  R{g_z}     = R{g_a} * act' + g_a * act'' * R{N(z_l)}
  R{dL/dW_l} = R{delta_l}^T a_{l-1} + delta_l^T R{a_{l-1}}
plus the R of the normalization pullbacks (``nets.unit_vjp_r``) and of the
output loss: R{dL/d out} = R{out}/n (MSE), = (diag p - p p^T) R{out}/n (softmax).

Reuse across HVPs at one point. Everything that does not carry an R -- the
forward pass (activations, act', act'') and the plain backward pass (delta_l,
g_a, and the weight-norm layers' un-R'd weight gradient) -- depends on w and
the data only, not on v. A Lanczos run asks for 10-100 HVPs at the same w, so
``prepare`` computes those once (an ``HVPState``) and ``apply`` does only the
R-passes: per plain layer 6 matrix products instead of 8 (the forward z = a W^T
and the backward delta W are gone). ``hvp_operator(mlp, w, X, T, xp)`` returns
v -> H v over one state; ``hvp`` keeps the last state per thread and reuses it
when it is called again with equal w, X and T (compared by value, so an array
changed in place is never served a stale state).
"""
from __future__ import annotations

import math
import threading
from typing import Any, Callable, NamedTuple

from .nets import (MLP, Forward, LayerParams, act_and_derivs, center, flatten, forward, output_loss, unflatten, unit_jvp,
                   unit_vjp, unit_vjp_r)

__all__ = ["hvp", "hvp_operator", "prepare", "apply", "hessian_one_hidden", "hessian_plain", "hvp_points_plain", "HVPState",
           "output_loss_r"]


def output_loss_r(kind: str, out: Any, r_out: Any, xp: Any) -> Any:
    """R{dL/d out}: the output-loss Hessian (n, C) applied to R{out} rowwise."""
    n = out.shape[0]
    if kind == "mse":
        return r_out / n
    e = xp.exp(out - xp.max(out, axis=1, keepdims=True))
    p = e / xp.sum(e, axis=1, keepdims=True)
    return p * (r_out - xp.sum(p * r_out, axis=1, keepdims=True)) / n


class PlainBackward(NamedTuple):
    """The un-R'd backward quantities of hidden layer l (independent of v)."""

    g_a: Any  # (n, m) dL/d a_l = delta_{l+1} W_{l+1}
    delta: Any  # (n, m) dL/d z_l (after the layer-norm pullback, if any)
    gW: Any  # the un-R'd weight gradient delta^T a_in (weight-norm layers only, else None)


class HVPState(NamedTuple):
    """Everything of H(w) v that does not depend on v: the forward and the plain backward pass."""

    fw: Forward
    delta_out: Any  # (n, C) dL/d out
    back: list[PlainBackward]  # per hidden layer


def prepare(mlp: MLP, w: Any, X: Any, T: Any, xp: Any) -> HVPState:
    """Forward and plain backward pass at w (validated flat vector), kept for many ``apply`` calls."""
    fw = forward(mlp, w, X, xp)
    _, delta = output_loss(mlp.loss, fw.out, T, xp)
    delta_out = delta
    back: list[PlainBackward] = [None] * (mlp.depth - 1)  # type: ignore[list-item]
    W_next = fw.W_last
    for l in range(mlp.depth - 2, -1, -1):
        h = fw.hidden[l]
        g_a = delta @ W_next
        g_zn = g_a * h.d1
        if h.ln is not None:
            delta = math.sqrt(g_zn.shape[-1]) * center(unit_vjp(h.ln, g_zn, xp), xp)
        else:
            delta = g_zn
        back[l] = PlainBackward(g_a, delta, delta.T @ h.a_in if h.wn is not None else None)
        W_next = h.W
    return HVPState(fw, delta_out, back)


def _r_forward(fw: Forward, dparams: list[LayerParams], xp: Any):
    """R-forward pass: per hidden layer (R{a_in}, R{W}, R{centered z}, R{N(z)}), and R{out}."""
    r_a, store = None, []
    for h, dp in zip(fw.hidden, dparams[:-1]):
        r_W = unit_jvp(h.wn, dp.W, xp) if h.wn is not None else dp.W
        r_z = h.a_in @ r_W.T
        if r_a is not None:
            r_z = r_z + r_a @ h.W.T
        if dp.b is not None:
            r_z = r_z + dp.b
        r_c = None
        if h.ln is not None:
            r_c = center(r_z, xp)
            r_z = math.sqrt(r_z.shape[-1]) * unit_jvp(h.ln, r_c, xp)
        store.append((r_a, r_W, r_c, r_z))
        r_a = h.d1 * r_z
    last = dparams[-1]
    r_out = fw.a_last @ last.W.T + last.b
    if r_a is not None:
        r_out = r_out + r_a @ fw.W_last.T
    return store, r_a, r_out


def apply(mlp: MLP, state: HVPState, v: Any, xp: Any) -> Any:
    """H(w) v (P,) for the w of ``state`` and a validated flat v (P,): the R-forward and R-backward passes."""
    fw = state.fw
    dparams = unflatten(v, mlp.spec)
    store, r_a_last, r_out = _r_forward(fw, dparams, xp)
    r_delta = output_loss_r(mlp.loss, fw.out, r_out, xp)

    out: list[LayerParams] = [None] * mlp.depth  # type: ignore[list-item]
    r_gW = r_delta.T @ fw.a_last
    if r_a_last is not None:
        r_gW = r_gW + state.delta_out.T @ r_a_last
    out[-1] = LayerParams(r_gW, xp.sum(r_delta, axis=0))
    delta, W_next, r_W_next = state.delta_out, fw.W_last, dparams[-1].W
    for l in range(mlp.depth - 2, -1, -1):
        h, b = fw.hidden[l], state.back[l]
        r_a_in, r_W, r_c, r_zn = store[l]
        r_g_a = r_delta @ W_next + delta @ r_W_next
        r_g_zn = r_g_a * h.d1 + b.g_a * h.d2 * r_zn
        if h.ln is not None:
            s = math.sqrt(r_g_zn.shape[-1])
            r_delta = s * center(unit_vjp_r(h.ln, r_c, b.g_a * h.d1, r_g_zn, xp), xp)
        else:
            r_delta = r_g_zn
        delta = b.delta
        r_gW = r_delta.T @ h.a_in
        if r_a_in is not None:
            r_gW = r_gW + delta.T @ r_a_in
        if h.wn is not None:  # R of the weight-norm pullback needs the un-R'd gradient too
            r_gW = unit_vjp_r(h.wn, dparams[l].W, b.gW, r_gW, xp)
        r_gb = xp.sum(r_delta, axis=0) if mlp.spec.layers[l].bias_size else None
        out[l] = LayerParams(r_gW, r_gb)
        W_next, r_W_next = h.W, r_W
    return flatten(out, mlp.spec)


def hvp_operator(mlp: MLP, w: Any, X: Any, T: Any, xp: Any) -> Callable[[Any], Any]:
    """v -> H(w) v over one ``prepare``d state (for Lanczos and other many-HVP loops at one w)."""
    state = prepare(mlp, w, X, T, xp)
    return lambda v: apply(mlp, state, v, xp)


class _Last(threading.local):
    key: Any = None
    state: HVPState | None = None


_LAST = _Last()


def _same(a: Any, b: Any, xp: Any) -> bool:
    return a is b or (a.shape == b.shape and a.dtype == b.dtype and bool(xp.all(a == b)))


def hvp(mlp: MLP, w: Any, v: Any, X: Any, T: Any, xp: Any) -> Any:
    """H(w) v (P,) for validated flat vectors w, v (P,), data X (n, d_0), targets T (n, C).

    Reuses the forward and plain backward pass of the previous call in this thread when
    mlp is the same object and w, X and T are equal in value (module docstring)."""
    key = _LAST.key
    if (key is not None and key[0] is mlp and key[4] is xp and _same(key[1], w, xp) and _same(key[2], X, xp)
            and _same(key[3], T, xp)):
        state = _LAST.state
    else:
        _LAST.key, _LAST.state = None, None  # free the old state before building the new one
        state = prepare(mlp, w, X, T, xp)
        # copies: the caller may change its arrays in place after this call
        _LAST.key, _LAST.state = (mlp, w * 1, X * 1, T * 1, xp), state
    return apply(mlp, state, v, xp)


def hessian_plain(mlp: MLP, state: HVPState) -> Any:
    """The whole Hessian (P, P) of a NumPy MLP without normalization layers: ``apply`` on every basis
    vector at once. Each R-line of ``apply`` gets a leading axis of size P (the direction), so a
    small net's Hessian costs a few batched products instead of P (or a Lanczos run's 20-40)
    separate HVPs, each dominated by per-call overhead. Row j is H e_j; rounding aside the
    matrix is symmetric."""
    import numpy as np

    fw, layers = state.fw, mlp.spec.layers
    P = mlp.spec.size

    def left(A, B):  # A (n, k) times each B[p] (k, j)  -> (P, n, j), as one 2-D product
        k, j = B.shape[1], B.shape[2]
        return (A @ B.transpose(1, 0, 2).reshape(k, P * j)).reshape(A.shape[0], P, j).transpose(1, 0, 2)

    def right(A, B):  # each A[p] (n, k) times B (k, j)  -> (P, n, j)
        return (A.reshape(-1, A.shape[2]) @ B).reshape(P, A.shape[1], B.shape[1])

    def tleft(A, B):  # each A[p]^T (k, n) times B (n, j)  -> (P, k, j)
        k = A.shape[2]
        return (B.T @ A.transpose(1, 0, 2).reshape(A.shape[1], P * k)).reshape(B.shape[1], P, k).transpose(1, 2, 0)

    eye = np.eye(P)
    dW, db = [], []
    for layer in layers:  # the basis directions, split per layer: (P, fo, fi) and (P, fo) or None
        (fo, fi), o = layer.weight_shape, layer.offset
        dW.append(eye[:, o : o + fo * fi].reshape(P, fo, fi))
        db.append(eye[:, o + fo * fi : o + fo * fi + layer.bias_size] if layer.bias_size else None)
    # R-forward (as _r_forward, without normalization)
    r_a, store = None, []
    for h, W_dir, b_dir in zip(fw.hidden, dW[:-1], db[:-1]):
        r_z = left(h.a_in, W_dir.transpose(0, 2, 1))  # (P, n, m)
        if r_a is not None:
            r_z = r_z + right(r_a, h.W.T)
        if b_dir is not None:
            r_z = r_z + b_dir[:, None, :]
        store.append((r_a, W_dir, r_z))
        r_a = h.d1 * r_z
    r_out = left(fw.a_last, dW[-1].transpose(0, 2, 1)) + db[-1][:, None, :]
    if r_a is not None:
        r_out = r_out + right(r_a, fw.W_last.T)
    n = fw.out.shape[0]
    if mlp.loss == "mse":
        r_delta = r_out / n
    else:  # output_loss_r with the class axis last
        e = np.exp(fw.out - np.max(fw.out, axis=1, keepdims=True))
        p = e / np.sum(e, axis=1, keepdims=True)
        r_delta = p * (r_out - np.sum(p * r_out, axis=-1, keepdims=True)) / n
    # R-backward (as apply)
    r_gW = tleft(r_delta, fw.a_last)
    if r_a is not None:
        r_gW = r_gW + left(state.delta_out.T, r_a)
    out = [(r_gW, r_delta.sum(axis=1))]
    delta, W_next, r_W_next = state.delta_out, fw.W_last, dW[-1]
    for l in range(mlp.depth - 2, -1, -1):
        h, b = fw.hidden[l], state.back[l]
        r_a_in, r_W, r_zn = store[l]
        r_g_a = right(r_delta, W_next) + left(delta, r_W_next)
        r_delta = r_g_a * h.d1 + b.g_a * h.d2 * r_zn
        delta = b.delta
        r_gW = tleft(r_delta, h.a_in)
        if r_a_in is not None:
            r_gW = r_gW + left(delta.T, r_a_in)
        out.append((r_gW, r_delta.sum(axis=1) if layers[l].bias_size else None))
        W_next, r_W_next = h.W, r_W
    parts = []
    for (gW, gb), layer in zip(out[::-1], layers):
        parts.append(gW.reshape(P, -1))
        if layer.bias_size:
            parts.append(gb)
    return np.concatenate(parts, axis=1)


def hvp_points_plain(mlp: MLP, w: Any, v: Any, X: Any, T: Any) -> Any:
    """H(w_i) v_i (k, P) for k points w (k, P) and vectors v (k, P) of a NumPy MLP without normalization,
    in one pass with a leading point axis (the lines of ``prepare`` and ``apply``, batched): a few
    HVPs at different points -- a finite difference of HVPs along a direction -- cost about one."""
    import numpy as np

    layers, k, n = mlp.spec.layers, w.shape[0], X.shape[0]

    def split(u):  # per layer: (k, fo, fi) weights and (k, fo) biases (or None), as views
        out = []
        for layer in layers:
            (fo, fi), o = layer.weight_shape, layer.offset
            b = u[:, o + fo * fi : o + fo * fi + layer.bias_size] if layer.bias_size else None
            out.append((u[:, o : o + fo * fi].reshape(k, fo, fi), b))
        return out

    Ws, dWs = split(w), split(v)
    # forward and R-forward
    a, r_a, saved = np.broadcast_to(X, (k,) + X.shape), None, []
    for (W, b), (dW, db) in zip(Ws[:-1], dWs[:-1]):
        z = a @ W.transpose(0, 2, 1)
        r_z = a @ dW.transpose(0, 2, 1)
        if b is not None:
            z, r_z = z + b[:, None, :], r_z + db[:, None, :]
        if r_a is not None:
            r_z = r_z + r_a @ W.transpose(0, 2, 1)
        act, d1, d2 = act_and_derivs(mlp.activation, z, np)
        saved.append((a, r_a, W, dW, d1, d2, r_z))
        a, r_a = act, d1 * r_z
    (W_last, b_last), (dW_last, db_last) = Ws[-1], dWs[-1]
    out = a @ W_last.transpose(0, 2, 1)
    r_out = a @ dW_last.transpose(0, 2, 1)
    if b_last is not None:
        out, r_out = out + b_last[:, None, :], r_out + db_last[:, None, :]
    if r_a is not None:
        r_out = r_out + r_a @ W_last.transpose(0, 2, 1)
    if mlp.loss == "mse":
        delta, r_delta = (out - T) / n, r_out / n
    else:
        e = np.exp(out - np.max(out, axis=-1, keepdims=True))
        p = e / np.sum(e, axis=-1, keepdims=True)
        delta, r_delta = (p - T) / n, p * (r_out - np.sum(p * r_out, axis=-1, keepdims=True)) / n
    # backward and R-backward, last layer first
    r_gW = r_delta.transpose(0, 2, 1) @ a
    if r_a is not None:
        r_gW = r_gW + delta.transpose(0, 2, 1) @ r_a
    parts = ([r_delta.sum(axis=1)] if layers[-1].bias_size else []) + [r_gW.reshape(k, -1)]
    W_next, dW_next = W_last, dW_last
    for l in range(len(layers) - 2, -1, -1):
        a_in, r_a_in, W, dW, d1, d2, r_z = saved[l]
        g_a = delta @ W_next
        r_g_a = r_delta @ W_next + delta @ dW_next
        delta, r_delta = g_a * d1, r_g_a * d1 + g_a * d2 * r_z
        r_gW = r_delta.transpose(0, 2, 1) @ a_in
        if r_a_in is not None:
            r_gW = r_gW + delta.transpose(0, 2, 1) @ r_a_in
        if layers[l].bias_size:
            parts.append(r_delta.sum(axis=1))
        parts.append(r_gW.reshape(k, -1))
        W_next, dW_next = W, dW
    return np.concatenate(parts[::-1], axis=1)


def hessian_one_hidden(mlp: MLP, w: Any, X: Any, T: Any) -> Any:
    """The Hessian (P, P) of a plain NumPy MLP with ONE hidden layer, f = V act(W x + b) + c, as the
    Gauss-Newton term sum_i J_i^T (d^2 l / d f^2) J_i plus the residual term sum_i,c (dl/df_ic) d^2 f_ic,
    which couples only the parameters of one hidden unit j: (W_j, b_j) with itself through act'', and
    with V_cj through act'. ``hessian_plain`` applies the R-operator to all P basis directions, which
    carries P x n x width numbers through every line; here the largest array is J (n, C, P)."""
    import numpy as np

    (m, d), (C, _) = mlp.spec.layers[0].weight_shape, mlp.spec.layers[1].weight_shape
    o0, o1, n, P = mlp.spec.layers[0].offset, mlp.spec.layers[1].offset, X.shape[0], mlp.spec.size
    W, b = w[o0 : o0 + m * d].reshape(m, d), w[o0 + m * d : o0 + m * d + m]
    V = w[o1 : o1 + C * m].reshape(C, m)
    z = X @ W.T + b
    a, d1, d2 = act_and_derivs(mlp.activation, z, np)
    out = a @ V.T + w[o1 + C * m : o1 + C * m + C]
    U = np.concatenate([X, np.ones((n, 1))], axis=1)  # (n, d + 1): unit j's inputs x_i and 1 (its bias)
    # J[i, c, :] = d f_ic / d theta, in the flat layout: W (m, d), b (m), V (C, m), c (C)
    J = np.zeros((n, C, P))
    Jh = V[None, :, :, None] * (d1[:, None, :, None] * U[:, None, None, :])  # (n, C, m, d + 1)
    J[:, :, o0 : o0 + m * d] = Jh[..., :d].reshape(n, C, m * d)
    J[:, :, o0 + m * d : o0 + m * d + m] = Jh[..., d]
    for c in range(C):
        J[:, c, o1 + c * m : o1 + (c + 1) * m] = a
        J[:, c, o1 + C * m + c] = 1.0
    if mlp.loss == "mse":  # l = sum_i |f_i - t_i|^2 / (2n)
        g = (out - T) / n
        H = J.reshape(n * C, P).T @ J.reshape(n * C, P) / n
    else:  # l = sum_i (logsumexp f_i - t_i . f_i) / n; d^2 l / d f_i^2 = (diag p_i - p_i p_i^T) / n
        e = np.exp(out - np.max(out, axis=1, keepdims=True))
        p = e / np.sum(e, axis=1, keepdims=True)
        g = (p - T) / n
        # J^T (diag p - p p^T) J = sum_c p_c (J_c - q)(J_c - q)^T with q = sum_c p_c J_c (sum_c p_c = 1):
        # a sum of squares, without the cancellation of sum_c p_c J_c J_c^T - q q^T at large margins
        # (the centred form the R-operator uses, p * (r - sum p r))
        Q = np.einsum("ic,icp->ip", p, J)
        Js = (np.sqrt(p)[:, :, None] * (J - Q[:, None, :])).reshape(n * C, P)
        H = Js.T @ Js / n
    # residual term: gamma_ij = sum_c g_ic V_cj (the backpropagated dl/d a_ij)
    gam = g @ V
    blocks = np.einsum("ij,ik,il->jkl", gam * d2, U, U)  # (m, d + 1, d + 1): (W_j, b_j) x (W_j, b_j)
    cross = np.einsum("ic,ij,ik->jck", g, d1, U)  # (m, C, d + 1): (W_j, b_j) x V_cj
    # unit j's flat indices: (W_j, b_j) and V_.j; the units' index sets are disjoint, so one fancy-indexed
    # += per term adds every block (no position repeats within one assignment)
    units = np.arange(m)[:, None]
    idx = np.concatenate([o0 + units * d + np.arange(d)[None, :], o0 + m * d + units], axis=1)  # (m, d + 1)
    vidx = o1 + np.arange(C)[None, :] * m + units  # (m, C)
    H[idx[:, :, None], idx[:, None, :]] += blocks
    H[idx[:, :, None], vidx[:, None, :]] += cross.transpose(0, 2, 1)
    H[vidx[:, :, None], idx[:, None, :]] += cross
    return H
