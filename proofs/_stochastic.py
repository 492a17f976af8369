"""Shared pieces of the stochastic families (sgd, nqm, schedule, ema): sources,
the confidence level, and a small per-process cache for Monte Carlo runs.

Not a family (no ``CLAIMS``). Monte Carlo measures draw all randomness from
``ctx.rng``, which the runner seeds from (run seed, parameters); two checks
that measure the same simulation at the same parameters therefore get the same
stream, and the cache only saves the repeated work.
"""
from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from theorykit.claims.claim import Source
from theorykit.numeric.montecarlo import DEFAULT_LEVEL, z_value

from ._sources import HOEFFDING
from ._util import BOTTOU_CURTIS_NOCEDAL as BOTTOU

__all__ = [
    "BOTTOU",
    "COCHRAN",
    "DUBHASHI_RANJAN",
    "GARRIGOS_GOWER",
    "GOYAL",
    "HOEFFDING",
    "LEVEL",
    "LOSHCHILOV",
    "POLYAK_JUDITSKY",
    "WU",
    "ZHANG",
    "Z",
    "cached",
]

#: Confidence level of every Monte Carlo interval in these families.
LEVEL = DEFAULT_LEVEL
#: Two-sided normal quantile at LEVEL (3.29 at 99.9%).
Z = z_value(LEVEL)

_CACHE: OrderedDict[str, Any] = OrderedDict()
_CACHE_SIZE = 128


def cached(tag: str, params, ctx, compute: Callable[[], Any]) -> Any:
    """``compute()`` once per (tag, parameters, seed, backend) in this process."""
    key = json.dumps([tag, ctx.seed, ctx.backend, params], sort_keys=True, default=str)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    value = compute()
    _CACHE[key] = value
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return value


ZHANG = Source(
    key="Zhang et al. 2019",
    authors="G. Zhang, L. Li, Z. Nado, J. Martens, S. Sachdeva, G. E. Dahl, C. J. Shallue, R. Grosse",
    title="Which algorithmic choices matter at which batch sizes? Insights from a noisy quadratic model",
    year=2019,
    venue="NeurIPS",
    arxiv="1907.04164",
)
WU = Source(
    key="Wu et al. 2018",
    authors="Y. Wu, M. Ren, R. Liao, R. Grosse",
    title="Understanding short-horizon bias in stochastic meta-optimization",
    year=2018,
    venue="ICLR",
    arxiv="1803.02021",
)
GARRIGOS_GOWER = Source(
    key="Garrigos & Gower 2023",
    authors="G. Garrigos, R. M. Gower",
    title="Handbook of convergence theorems for (stochastic) gradient methods",
    year=2023,
    arxiv="2301.11235",
)
COCHRAN = Source(
    key="Cochran 1977",
    authors="W. G. Cochran",
    title="Sampling Techniques (3rd ed.)",
    year=1977,
    venue="Wiley",
)
DUBHASHI_RANJAN = Source(
    key="Dubhashi & Ranjan 1998",
    authors="D. Dubhashi, D. Ranjan",
    title="Balls and bins: a study in negative dependence",
    year=1998,
    venue="Random Structures & Algorithms 13(2), 99-124",
    doi="10.1002/(SICI)1098-2418(199809)13:2<99::AID-RSA1>3.0.CO;2-M",
)
LOSHCHILOV = Source(
    key="Loshchilov & Hutter 2017",
    authors="I. Loshchilov, F. Hutter",
    title="SGDR: Stochastic gradient descent with warm restarts",
    year=2017,
    venue="ICLR",
    arxiv="1608.03983",
)
GOYAL = Source(
    key="Goyal et al. 2017",
    authors="P. Goyal, P. Dollar, R. Girshick, P. Noordhuis, L. Wesolowski, A. Kyrola, A. Tulloch, Y. Jia, K. He",
    title="Accurate, large minibatch SGD: training ImageNet in 1 hour",
    year=2017,
    arxiv="1706.02677",
)
EFRON_TIBSHIRANI = Source(
    key="Efron & Tibshirani 1997",
    authors="B. Efron, R. Tibshirani",
    title="Improvements on cross-validation: the .632+ bootstrap method",
    year=1997,
    venue="Journal of the American Statistical Association 92(438), 548-560",
    doi="10.1080/01621459.1997.10474007",
)
POLYAK_JUDITSKY = Source(
    key="Polyak & Juditsky 1992",
    authors="B. T. Polyak, A. B. Juditsky",
    title="Acceleration of stochastic approximation by averaging",
    year=1992,
    venue="SIAM Journal on Control and Optimization 30(4), 838-855",
    doi="10.1137/0330046",
)
