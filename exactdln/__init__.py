"""exactdln: exact landscape analysis of deep linear neural networks.

The public API is the names in ``__all__``; everything else is internal and free to change.

- Model: :class:`Problem`, :class:`RationalMatrix`, :class:`InputError`, :func:`load_point`, :func:`parse_number`.
- Exact classification: :func:`classify` (-> :class:`Classification`), :func:`hessian_inertia`; the loss and
  its derivatives :func:`loss`, :func:`gradient`, :func:`is_critical`, :func:`hessian_form`,
  :func:`hessian_matrix`; :func:`partial_product`, :func:`partial_ranks`.
- Certificates: :func:`certify` (-> :class:`Certificate`), :func:`write_certificate`, :func:`check`
  (the standalone checker, run as a process, -> :class:`CheckerRun`).
- Other settings: :func:`classify_regularized` (lambda > 0), :func:`classify_family` / :func:`load_family`
  (families over QQ(params)).
- Independent numeric cross-checks: :func:`classify_float`, :func:`classify_mp`
  (-> :class:`NumericClassification`), :func:`crosscheck`; :func:`snap` for weights trained in floating point;
  :func:`trace` (-> :class:`Trace`) for the plateaus of a recorded run (:func:`load_trajectory`) and their saddles.
- Training code: :func:`from_torch`, :func:`from_jax`, :func:`load_point_file` (floats read by the rule
  ``exact="binary"`` or ``"decimal"``, exactdln/model/convert.py).
- Instances with a known class: :func:`random_instance`, :func:`worked_instances` (-> :class:`Instance`).
- Results: every classify function returns a :class:`Verdict` (exactdln/model/results.py).

Names are loaded on first use (PEP 562), so ``import exactdln`` and ``exactdln check`` import neither
FLINT nor numpy, sympy or mpmath.

Two names are functions that share their name with a module path. ``exactdln.classify`` is the function;
the module of earlier releases is exactdln/theory/classify.py (``from exactdln.classify import classify``
no longer works: write ``from exactdln import classify``). ``exactdln.certify`` is the function, and stays
the function after the subpackage exactdln/certify/ is imported; reach that subpackage's modules with
``from exactdln.certify.point import ...``. The module paths ``exactdln.highprec``, ``exactdln.construct``
and ``exactdln.numeric.classify_float`` (and the other names of the former exactdln/numeric.py) still
work for one release, with a DeprecationWarning. Module paths of earlier releases that the documentation
never gave (``exactdln.crosscheck``, ``exactdln.snap``, ``exactdln.problem``, ``exactdln.results`` as
modules) are gone: use the top-level names.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

__version__ = "0.1.0"

# public name -> the module that defines it
_EXPORTS = {
    **dict.fromkeys(("Problem", "RationalMatrix", "InputError", "load_point", "parse_number"),
                    "exactdln.model.problem"),
    **dict.fromkeys(("Verdict", "Classification", "Inertia", "Assumptions", "RouteVerdict"),
                    "exactdln.model.results"),
    **dict.fromkeys(("classify", "hessian_inertia"), "exactdln.theory.classify"),
    **dict.fromkeys(("loss", "gradient", "is_critical", "hessian_form", "hessian_matrix"),
                    "exactdln.landscape.derivatives"),
    **dict.fromkeys(("partial_product", "partial_ranks"), "exactdln.landscape.products"),
    **dict.fromkeys(("certify", "write_certificate", "Certificate"), "exactdln.certify.point"),
    **dict.fromkeys(("check", "CheckerRun", "CertificateError"), "exactdln.certify.gate"),
    **dict.fromkeys(("classify_regularized", "RegularizedClassification"), "exactdln.theory.regularized"),
    "classify_family": "exactdln.symbolic",
    **dict.fromkeys(("load_family", "Family"), "exactdln.symbolic.family"),
    "FamilyVerdict": "exactdln.symbolic.analysis",
    **dict.fromkeys(("classify_float", "NumericClassification"), "exactdln.numeric.float64"),
    "classify_mp": "exactdln.numeric.mp",
    **dict.fromkeys(("crosscheck", "CrosscheckResult"), "exactdln.tools.crosscheck"),
    **dict.fromkeys(("snap", "SnapResult", "load_float_point"), "exactdln.tools.snap"),
    **dict.fromkeys(("trace", "Trace"), "exactdln.tools.trace"),
    "load_trajectory": "exactdln.tools.trace_format",
    "nearest_critical_point": "exactdln.tools.snap_algebraic",
    "critical_point_for_fitted_set": "exactdln.instances.algebraic_critical",
    "sweep": "exactdln.tools.sweep",
    **dict.fromkeys(("from_torch", "from_jax", "load_point_file"), "exactdln.tools.interop"),
    **dict.fromkeys(("random_instance", "worked_instances", "Instance"), "exactdln.instances.construct"),
}

__all__ = [
    # the model
    "Problem",
    "RationalMatrix",
    "InputError",
    "load_point",
    "parse_number",
    # exact classification
    "classify",
    "hessian_inertia",
    "loss",
    "gradient",
    "is_critical",
    "hessian_form",
    "hessian_matrix",
    "partial_product",
    "partial_ranks",
    # certificates
    "certify",
    "write_certificate",
    "check",
    "Certificate",
    "CheckerRun",
    "CertificateError",
    # regularized loss, families
    "classify_regularized",
    "classify_family",
    "load_family",
    "Family",
    # numeric cross-checks, float weights
    "classify_float",
    "classify_mp",
    "crosscheck",
    "snap",
    "load_float_point",
    # exact critical points over the field of a fitted set (docs/maths/algebraic.md §10-§12)
    "critical_point_for_fitted_set",
    "nearest_critical_point",
    # the saddles of a training run (exactdln/tools/trace.py)
    "trace",
    "load_trajectory",
    # training code: PyTorch models, JAX pytrees, .pt/.npz/JSON files (floats by a rule: exact=)
    "from_torch",
    "from_jax",
    "load_point_file",
    # many instances on an executor (exactdln/tools/sweep/)
    "sweep",
    # instances with a known class
    "random_instance",
    "worked_instances",
    "Instance",
    # results
    "Verdict",
    "Classification",
    "NumericClassification",
    "FamilyVerdict",
    "RegularizedClassification",
    "CrosscheckResult",
    "SnapResult",
    "Trace",
    "Inertia",
    "Assumptions",
    "RouteVerdict",
]

# Public functions named like a subpackage: importing the subpackage must not replace the function.
_SHADOWED = frozenset({"certify"})


def __getattr__(name: str) -> Any:
    """Import a public name on first use (PEP 562) and keep it."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """The package's module type: the import system's ``setattr(exactdln, "certify", <subpackage>)``, done
    whenever exactdln.certify.point is imported, leaves the public function in place (the subpackage stays
    in sys.modules, which is where ``from exactdln.certify.point import ...`` finds it)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
