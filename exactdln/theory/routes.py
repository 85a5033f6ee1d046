"""The routes :func:`exactdln.classify` can take, and when ``method="auto"`` takes the Hessian route.

Standard library only, so that the command line can show them in its help without importing FLINT.
"""

from __future__ import annotations

from exactdln.model.results import GLOBAL_MINIMIZER, UNDECIDED, RouteVerdict

__all__ = ["AUTO_HESSIAN_LIMIT", "METHODS", "combine_routes"]

AUTO_HESSIAN_LIMIT = 600
"""``method="auto"`` computes the exact Hessian inertia up to this many parameters."""

METHODS = ("auto", "theorem", "hessian")


def combine_routes(theorem: RouteVerdict | None, global_test: RouteVerdict | None,
                   hessian: RouteVerdict | None) -> tuple[str, bool]:
    """The verdict of a classification and whether its routes agree, over Q and over a number field alike.

    The theorem route (Achour, Malgouyres, Gerchinovitz 2024) and the Hessian route must give the same kind; the
    global test (Yun, Sra, Jadbabaie 2018, Thm 2.1/2.2) decides global-or-not only; an undecided route contradicts
    nothing. The verdict is the theorem route's when it has one, else the Hessian route's, else ``global_minimizer``
    when the global test says so, else ``undecided``.
    """
    agree = True
    if theorem is not None and hessian is not None and hessian.kind != UNDECIDED:
        agree &= theorem.kind == hessian.kind
    if global_test is not None:
        says_global = global_test.kind == GLOBAL_MINIMIZER
        for route in (theorem, hessian):
            if route is not None and route.kind != UNDECIDED:
                agree &= (route.kind == GLOBAL_MINIMIZER) == says_global
    if theorem is not None:
        return theorem.kind, agree
    if hessian is not None:
        return hessian.kind, agree
    if global_test is not None and global_test.kind == GLOBAL_MINIMIZER:
        return GLOBAL_MINIMIZER, agree
    return UNDECIDED, agree
