"""Deprecated module path: the high-precision path is exactdln/numeric/mp.py.

Use ``from exactdln import classify_mp`` (or :mod:`exactdln.numeric.mp` for its other names).
This module re-exports exactdln/numeric/mp.py with a DeprecationWarning and will be removed in
the next release.
"""

from exactdln._deprecated import warn_moved

warn_moved("exactdln.highprec", "exactdln.classify_mp (or exactdln.numeric.mp)")

from exactdln.numeric.mp import *  # noqa: E402,F401,F403
from exactdln.numeric.mp import __all__  # noqa: E402,F401
