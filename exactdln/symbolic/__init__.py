"""Symbolic and parametric families of weights.

``classify_family(path_or_mapping)`` reads a family file (a point file with a
``"parameters"`` object, entries being rational functions of the parameters) and
returns a :class:`FamilyVerdict`: the verdict that holds for all parameter values
under the assumptions outside an explicit exceptional set.
"""

from __future__ import annotations

import os
from typing import Any, Mapping

from exactdln.symbolic.analysis import (
    FamilyVerdict,
    analyze_family,
    criticality_variety,
    family_gradient,
    generic_partial_ranks,
)
from exactdln.symbolic.family import Family, PoleError, load_family
from exactdln.symbolic.hessian import HessianRoute, family_hessian, hessian_route
from exactdln.symbolic.parser import parse_entry

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

    Routes: criticality over QQ(params), generic ranks, and the first-order characterization
    and classification theorem of Achour et al. (JMLR 2024) as reconstructed in
    docs/maths/classification.md §2.1 and §3.3, decided symbolically (see :func:`analyze_family`).
    """
    family = path_or_mapping if isinstance(path_or_mapping, Family) else load_family(path_or_mapping)
    return analyze_family(family)
