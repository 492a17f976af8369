"""Vector and function-class derivations (see docs/derivation-format.md, "Vectors and functions").

Steps about vectors in R^d (every d) and functions of a class (convex,
smooth(L), strongly_convex(mu), lipschitz(M) and their combinations) are
checked through the interpolation conditions of Taylor, Hendrickx and Glineur
(2017): proved with a symbolic certificate, refuted with an exact finite
counterexample, or unknown.
"""
from .check import check_vector_document, check_vector_text
from .document import VectorDerivation, parse_vector_derivation
from .syntax import VECTOR_KEYWORDS, is_vector_text

__all__ = [
    "VECTOR_KEYWORDS",
    "VectorDerivation",
    "check_vector_document",
    "check_vector_text",
    "is_vector_text",
    "parse_vector_derivation",
]
