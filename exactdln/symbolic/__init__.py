"""Symbolic and parametric families of weights (issue 6).

``classify_family(path_or_mapping)`` reads a family file (a point file with a
``"parameters"`` object, entries being rational functions of the parameters) and
returns a :class:`FamilyVerdict`: the verdict that holds for all parameter values
under the assumptions outside an explicit exceptional set.
"""

from __future__ import annotations

import os
from typing import Any, Mapping

from .analysis import FamilyVerdict, analyze_family, criticality_variety, family_gradient, generic_partial_ranks
from .family import Family, PoleError, load_family
from .hessian import HessianRoute, family_hessian, hessian_route
from .parser import parse_entry

__all__ = [
    "Family",
    "FamilyVerdict",
    "HessianRoute",
    "family_hessian",
    "hessian_route",
    "PoleError",
    "analyze_family",
    "classify_family",
    "criticality_variety",
    "family_gradient",
    "generic_partial_ranks",
    "load_family",
    "parse_entry",
]


def classify_family(path_or_mapping: str | os.PathLike | Mapping[str, Any] | Family) -> FamilyVerdict:
    """Classify a family for all parameter values outside its exceptional set.

    Routes: criticality over QQ(params), generic ranks, and Achour et al. (JMLR 2024)
    §2 Prop. 1 / §3 Theorem decided symbolically (see :func:`analyze_family`).
    """
    family = path_or_mapping if isinstance(path_or_mapping, Family) else load_family(path_or_mapping)
    return analyze_family(family)
