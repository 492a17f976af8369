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
"""
from __future__ import annotations

import math
from typing import Any

from .nets import MLP, Forward, LayerParams, center, flatten, forward, output_loss, unflatten, unit_jvp, unit_vjp, unit_vjp_r

__all__ = ["hvp", "output_loss_r"]


def output_loss_r(kind: str, out: Any, r_out: Any, xp: Any) -> Any:
    """R{dL/d out}: the output-loss Hessian (n, C) applied to R{out} rowwise."""
    n = out.shape[0]
    if kind == "mse":
        return r_out / n
    e = xp.exp(out - xp.max(out, axis=1, keepdims=True))
    p = e / xp.sum(e, axis=1, keepdims=True)
    return p * (r_out - xp.sum(p * r_out, axis=1, keepdims=True)) / n


def _r_forward(mlp: MLP, fw: Forward, dparams: list[LayerParams], xp: Any):
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


def hvp(mlp: MLP, w: Any, v: Any, X: Any, T: Any, xp: Any) -> Any:
    """H(w) v (P,) for validated flat vectors w, v (P,), data X (n, d_0), targets T (n, C)."""
    fw = forward(mlp, w, X, xp)
    _, delta = output_loss(mlp.loss, fw.out, T, xp)
    dparams = unflatten(v, mlp.spec)
    store, r_a_last, r_out = _r_forward(mlp, fw, dparams, xp)
    r_delta = output_loss_r(mlp.loss, fw.out, r_out, xp)

    out: list[LayerParams] = [None] * mlp.depth  # type: ignore[list-item]
    r_gW = r_delta.T @ fw.a_last
    if r_a_last is not None:
        r_gW = r_gW + delta.T @ r_a_last
    out[-1] = LayerParams(r_gW, xp.sum(r_delta, axis=0))
    W_next, r_W_next = fw.W_last, dparams[-1].W
    for l in range(mlp.depth - 2, -1, -1):
        h = fw.hidden[l]
        r_a_in, r_W, r_c, r_zn = store[l]
        g_a = delta @ W_next
        r_g_a = r_delta @ W_next + delta @ r_W_next
        g_zn = g_a * h.d1
        r_g_zn = r_g_a * h.d1 + g_a * h.d2 * r_zn
        if h.ln is not None:
            s = math.sqrt(g_zn.shape[-1])
            delta = s * center(unit_vjp(h.ln, g_zn, xp), xp)
            r_delta = s * center(unit_vjp_r(h.ln, r_c, g_zn, r_g_zn, xp), xp)
        else:
            delta, r_delta = g_zn, r_g_zn
        r_gW = r_delta.T @ h.a_in
        if r_a_in is not None:
            r_gW = r_gW + delta.T @ r_a_in
        if h.wn is not None:  # R of the weight-norm pullback needs the un-R'd gradient too
            r_gW = unit_vjp_r(h.wn, dparams[l].W, delta.T @ h.a_in, r_gW, xp)
        r_gb = xp.sum(r_delta, axis=0) if mlp.spec.layers[l].bias_size else None
        out[l] = LayerParams(r_gW, r_gb)
        W_next, r_W_next = h.W, r_W
    return flatten(out, mlp.spec)
