"""The numeric cross-checks: float64 (exactdln/numeric/float64.py) and mpmath (exactdln/numeric/mp.py).

Use ``from exactdln import classify_float, classify_mp``. The names of the former module
``exactdln/numeric.py`` (``exactdln.numeric.classify_float`` and the rest) still resolve here for one
release, with a DeprecationWarning naming their new place.
"""

from __future__ import annotations

import importlib
from typing import Any

# old name -> (module that defines it now, what to use instead)
_MOVED = {
    "classify_float": ("exactdln.numeric.float64", "exactdln.classify_float"),
    "NumericClassification": ("exactdln.numeric.float64", "exactdln.NumericClassification"),
    **{name: ("exactdln.numeric.float64", f"exactdln.numeric.float64.{name}")
       for name in ("FloatArithmetic", "separate", "analyse", "hessian_matrix_float", "balance_hidden",
                    "DEFINITE_KINDS")},
}


def __getattr__(name: str) -> Any:
    """The former module's names, with a DeprecationWarning (PEP 562)."""
    if name not in _MOVED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from exactdln._deprecated import warn_moved

    module, instead = _MOVED[name]
    warn_moved(f"exactdln.numeric.{name}", instead)
    return getattr(importlib.import_module(module), name)
