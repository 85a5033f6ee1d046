"""The declared sign assumptions of a family's parameters, in the order the sign algebra reads them.

A family file declares each parameter real, nonzero, positive, negative or nonnegative
(exactdln/trusted/FAMILY_FORMAT.md); every fact over QQ(params) is claimed only at parameter values
satisfying them, and the sign algebra of :mod:`exactdln.symbolic.signs` reads them as a list of
kinds aligned with the polynomial ring's generators.
"""

from __future__ import annotations

from exactdln.symbolic.family import Family

__all__ = ["assumption_kinds"]


def assumption_kinds(family: Family) -> list[str]:
    """The sign assumption of each parameter, in parameter order ("positive", "nonzero", ...)."""
    return [kind for _, kind in family.assumptions]
