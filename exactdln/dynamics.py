"""Deprecated: the old home of the gradient-dynamics code, split by layer.

- exact identities of Bah, Rauhut, Terstiege, Westdickenberg (2022): :mod:`exactdln.theory.bah`;
- the ``flow_identities_random`` certificate: :mod:`exactdln.certify.flow`;
- float64 gradient descent and RK4 flow: :mod:`exactdln.numeric.flows`;
- figures (the ``plot`` extra): :mod:`exactdln.numeric.plots`.

Every old name is still importable from here and warns (DeprecationWarning) with its new home.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

_NEW_HOME = {
    "balance_matrices": "exactdln.theory.bah",
    "data_gradients": "exactdln.theory.bah",
    "conservation_derivative": "exactdln.theory.bah",
    "gd_step": "exactdln.theory.bah",
    "gd_balance_defect": "exactdln.theory.bah",
    "product_flow_operator": "exactdln.theory.bah",
    "balanced_product_flow_defect": "exactdln.theory.bah",
    "energy_identity_defect": "exactdln.theory.bah",
    "rank_restricted_global": "exactdln.theory.bah",
    "flow_certificate": "exactdln.certify.flow",
    "Trajectory": "exactdln.numeric.flows",
    "gradient_descent": "exactdln.numeric.flows",
    "gradient_flow": "exactdln.numeric.flows",
    "saxe_scalar_solution": "exactdln.numeric.flows",
    "fit_linear_rate": "exactdln.numeric.flows",
    "trajectory_figure": "exactdln.numeric.plots",
    "plot_trajectory": "exactdln.numeric.plots",
}

__all__ = sorted(_NEW_HOME)


def __getattr__(name: str) -> Any:
    # PEP 562: resolved on first use, so the warning names the caller's line and importing the
    # numeric or plotting modules costs nothing until one of their names is asked for
    try:
        home = _NEW_HOME[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    warnings.warn(f"exactdln.dynamics.{name} is deprecated and will be removed in the next release; "
                  f"use {home}.{name}", DeprecationWarning, stacklevel=2)
    return getattr(importlib.import_module(home), name)


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
