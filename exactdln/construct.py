"""Deprecated module path: the constructions of critical points are exactdln/instances/construct.py.

Use ``from exactdln import random_instance, worked_instances`` (or :mod:`exactdln.instances.construct` for the
other constructions, e.g. ``minimal_critical_point``). This module re-exports
exactdln/instances/construct.py with a DeprecationWarning and will be removed in the next release.
"""

from exactdln._deprecated import warn_moved

warn_moved("exactdln.construct", "exactdln.random_instance, exactdln.worked_instances (or exactdln.instances.construct)")

from exactdln.instances.construct import *  # noqa: E402,F401,F403
from exactdln.instances.construct import __all__  # noqa: E402,F401
