"""The routes :func:`exactdln.classify` can take, and when ``method="auto"`` takes the Hessian route.

Standard library only, so that the command line can show them in its help without importing FLINT.
"""

__all__ = ["AUTO_HESSIAN_LIMIT", "METHODS"]

AUTO_HESSIAN_LIMIT = 600
"""``method="auto"`` computes the exact Hessian inertia up to this many parameters."""

METHODS = ("auto", "theorem", "hessian")
