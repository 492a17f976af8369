"""Sources cited by more than one family module, defined once."""
from theorykit.claims.claim import Source

__all__ = ["KINGMA_BA", "NOCEDAL_WRIGHT", "HOEFFDING", "GOODFELLOW", "CS231N", "DUCHI", "TIELEMAN_HINTON"]

KINGMA_BA = Source(
    key="Kingma & Ba 2015",
    authors="D. P. Kingma, J. Ba",
    title="Adam: a method for stochastic optimization",
    year=2015,
    venue="ICLR 2015",
    arxiv="1412.6980",
)

NOCEDAL_WRIGHT = Source(
    key="Nocedal & Wright 2006",
    authors="J. Nocedal, S. J. Wright",
    title="Numerical Optimization (2nd ed.)",
    year=2006,
    venue="Springer Series in Operations Research",
    doi="10.1007/978-0-387-40065-5",
)

HOEFFDING = Source(
    key="Hoeffding 1963",
    authors="W. Hoeffding",
    title="Probability inequalities for sums of bounded random variables",
    year=1963,
    venue="Journal of the American Statistical Association 58(301), 13-30",
    doi="10.1080/01621459.1963.10500830",
)

GOODFELLOW = Source(
    key="Goodfellow et al. 2016",
    authors="I. Goodfellow, Y. Bengio, A. Courville",
    title="Deep Learning",
    year=2016,
    venue="MIT Press",
)

CS231N = Source(
    key="Karpathy 2016",
    authors="A. Karpathy",
    title="CS231n: Convolutional neural networks for visual recognition (course notes, Stanford)",
    year=2016,
    venue="cs231n.github.io/neural-networks-3",
)

DUCHI = Source(
    key="Duchi et al. 2011",
    authors="J. Duchi, E. Hazan, Y. Singer",
    title="Adaptive subgradient methods for online learning and stochastic optimization",
    year=2011,
    venue="Journal of Machine Learning Research 12, 2121-2159",
)

TIELEMAN_HINTON = Source(
    key="Tieleman & Hinton 2012",
    authors="T. Tieleman, G. Hinton",
    title="Lecture 6.5 - RMSProp: divide the gradient by a running average of its recent magnitude",
    year=2012,
    venue="COURSERA: Neural Networks for Machine Learning",
)
