"""Sources cited by more than one family module, defined once."""
from theorykit.claims.claim import Source

__all__ = ["KINGMA_BA", "NOCEDAL_WRIGHT", "HOEFFDING", "GOODFELLOW", "CS231N", "DUCHI", "TIELEMAN_HINTON",
           # seed claims of issue 14 (item 6)
           "LI_YORKE", "BLOCK_ET_AL", "JACOT", "LEE_WIDE", "BRAY_DEAN", "DAUPHIN_SADDLES", "ZINKEVICH",
           "SHAMIR_ZHANG", "SRIVASTAVA", "MICIKEVICIUS", "KARPATHY_RECIPE", "BAYDIN",
           "ULAM_VON_NEUMANN", "DYER_GUR_ARI"]

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

# ------------------------------------------------------------ seed claims of issue 14 (item 6)
LI_YORKE = Source(
    key="Li & Yorke 1975",
    authors="T.-Y. Li, J. A. Yorke",
    title="Period three implies chaos",
    year=1975,
    venue="The American Mathematical Monthly 82(10), 985-992",
    doi="10.1080/00029890.1975.11994008",
)

BLOCK_ET_AL = Source(
    key="Block et al. 1980",
    authors="L. Block, J. Guckenheimer, M. Misiurewicz, L.-S. Young",
    title="Periodic points and topological entropy of one dimensional maps",
    year=1980,
    venue="Global Theory of Dynamical Systems, Lecture Notes in Mathematics 819, 18-34",
    doi="10.1007/BFb0086977",
)

JACOT = Source(
    key="Jacot et al. 2018",
    authors="A. Jacot, F. Gabriel, C. Hongler",
    title="Neural tangent kernel: convergence and generalization in neural networks",
    year=2018,
    venue="NeurIPS 2018",
    arxiv="1806.07572",
)

LEE_WIDE = Source(
    key="Lee et al. 2019",
    authors="J. Lee, L. Xiao, S. S. Schoenholz, Y. Bahri, R. Novak, J. Sohl-Dickstein, J. Pennington",
    title="Wide neural networks of any depth evolve as linear models under gradient descent",
    year=2019,
    venue="NeurIPS 2019",
    arxiv="1902.06720",
)

BRAY_DEAN = Source(
    key="Bray & Dean 2007",
    authors="A. J. Bray, D. S. Dean",
    title="Statistics of critical points of Gaussian fields on large-dimensional spaces",
    year=2007,
    venue="Physical Review Letters 98, 150201",
    arxiv="cond-mat/0611023",
)

DAUPHIN_SADDLES = Source(
    key="Dauphin et al. 2014",
    authors="Y. N. Dauphin, R. Pascanu, C. Gulcehre, K. Cho, S. Ganguli, Y. Bengio",
    title="Identifying and attacking the saddle point problem in high-dimensional non-convex optimization",
    year=2014,
    venue="NeurIPS 2014",
    arxiv="1406.2572",
)

ZINKEVICH = Source(
    key="Zinkevich 2003",
    authors="M. Zinkevich",
    title="Online convex programming and generalized infinitesimal gradient ascent",
    year=2003,
    venue="ICML 2003",
)

SHAMIR_ZHANG = Source(
    key="Shamir & Zhang 2013",
    authors="O. Shamir, T. Zhang",
    title="Stochastic gradient descent for non-smooth optimization: convergence results and optimal averaging schemes",
    year=2013,
    venue="ICML 2013",
    arxiv="1212.1824",
)

SRIVASTAVA = Source(
    key="Srivastava et al. 2014",
    authors="N. Srivastava, G. Hinton, A. Krizhevsky, I. Sutskever, R. Salakhutdinov",
    title="Dropout: a simple way to prevent neural networks from overfitting",
    year=2014,
    venue="Journal of Machine Learning Research 15, 1929-1958",
)

MICIKEVICIUS = Source(
    key="Micikevicius et al. 2018",
    authors="P. Micikevicius, S. Narang, J. Alben, G. Diamos, E. Elsen, D. Garcia, B. Ginsburg, M. Houston, "
            "O. Kuchaiev, G. Venkatesh, H. Wu",
    title="Mixed precision training",
    year=2018,
    venue="ICLR 2018",
    arxiv="1710.03740",
)

KARPATHY_RECIPE = Source(
    key="Karpathy 2019",
    authors="A. Karpathy",
    title="A recipe for training neural networks (blog post)",
    year=2019,
    venue="karpathy.github.io/2019/04/25/recipe",
)

BAYDIN = Source(
    key="Baydin et al. 2018",
    authors="A. G. Baydin, B. A. Pearlmutter, A. A. Radul, J. M. Siskind",
    title="Automatic differentiation in machine learning: a survey",
    year=2018,
    venue="Journal of Machine Learning Research 18(153), 1-43",
    arxiv="1502.05767",
)

ULAM_VON_NEUMANN = Source(
    key="Ulam & von Neumann 1947",
    authors="S. M. Ulam, J. von Neumann",
    title="On combination of stochastic and deterministic processes",
    year=1947,
    venue="Bulletin of the American Mathematical Society 53, 1120",
)

DYER_GUR_ARI = Source(
    key="Dyer & Gur-Ari 2020",
    authors="E. Dyer, G. Gur-Ari",
    title="Asymptotics of wide networks from Feynman diagrams",
    year=2020,
    venue="ICLR 2020",
    arxiv="1909.11304",
)
