"""exactdln: exact landscape analysis of deep linear neural networks.

The public API is re-exported here; everything else is internal and free to change.
"""

__version__ = "0.1.0"

from exactdln.model.problem import InputError, Problem, RationalMatrix, load_point, parse_number  # noqa: E402
from exactdln.model.results import Assumptions, Classification, Inertia, RouteVerdict  # noqa: E402
from exactdln.theory.classify import classify, hessian_inertia  # noqa: E402
from exactdln.landscape.derivatives import gradient, hessian_form, hessian_matrix, is_critical, loss  # noqa: E402
from exactdln.landscape.products import partial_product, partial_ranks  # noqa: E402

__all__ = [
    "__version__",
    "InputError",
    "Problem",
    "RationalMatrix",
    "load_point",
    "parse_number",
    "Assumptions",
    "Classification",
    "Inertia",
    "RouteVerdict",
    "classify",
    "hessian_inertia",
    "gradient",
    "hessian_form",
    "hessian_matrix",
    "is_critical",
    "loss",
    "partial_product",
    "partial_ranks",
]
