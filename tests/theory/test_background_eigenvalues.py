"""The eigenvalues of Sigma proven in a forked child (SpectralFacts.prove_eigenvalues_in_background,
exactdln/model/forked.py) are the eigenvalues of the construction, and classify(workers=2) gives the answer of
classify(workers=1) and of the construction.

The fork is refused in a process with more than one thread, and numpy's BLAS starts threads on import, so these
checks run in a fresh interpreter that imports no numpy (as `exactdln classify --method theorem` does)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from flint import fmpq

from exactdln.landscape.spectral import _eigenvalues_from_text, _eigenvalues_to_text
from tests.support import ROOT

_SCRIPT = r"""
import json, os, random, sys, tempfile
made = []                             # the handover directories (Sigma_YX from the child), recorded
_mkdtemp = tempfile.mkdtemp
tempfile.mkdtemp = lambda *a, **k: made.append(_mkdtemp(*a, **k)) or made[-1]
from exactdln.instances.construct import (conjugate_hidden, expected_kind_for_index_set, minimal_critical_point,
                                          random_singular_values, spectral_data)
from exactdln.landscape.point import ExactPoint
from exactdln.landscape.spectral import SpectralFacts
from exactdln.model.forked import can_fork
from exactdln.theory.classify import classify

width, depth = 40, 11                 # 17,600 parameters: above BACKGROUND_PARAMETERS, d_y = 40 > SMALL_SIGMA
rng = random.Random(5)
data = spectral_data(random_singular_values(width, rng, digits=3), width, rng)
S = tuple(range(2, width + 1))        # a strict saddle (S != [r], docs/maths/classification.md §7)
widths = (width,) * (depth + 1)
weights = conjugate_hidden(minimal_critical_point(data, widths, S), rng, digits=3)
facts = SpectralFacts(ExactPoint.of(data.problem, weights))
started = can_fork() and facts.prove_eigenvalues_in_background()
proven = facts.rational_eigenvalues
one = classify(data.problem, weights, method="theorem", workers=1).to_json()
before = len(made)
two = classify(data.problem, weights, method="theorem", workers=2).to_json()
out = {
    "started": started,
    "eigenvalues": None if proven is None else [f"{int(x.p)}/{int(x.q)}" for x in proven],
    "expected": [str(x) for x in sorted(data.eigenvalues)],
    "kind_expected": expected_kind_for_index_set(S, widths),
    "one": one,
    "two": two,
    "numpy": "numpy" in sys.modules,
    "handover_used": len(made) > before,
    "classify_left": [d for d in made[before:] if os.path.exists(d)],
}
print(json.dumps(out))
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork: POSIX only")
def test_eigenvalues_proven_in_a_child_are_the_constructions_and_classify_agrees(tmp_path):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["TMPDIR"] = str(tmp_path)                 # where the child hands Sigma_YX over
    proc = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert not out["numpy"]
    assert out["started"]                                   # a child proved them
    assert [Fraction(x) for x in out["eigenvalues"]] == [Fraction(x) for x in out["expected"]]
    assert out["one"]["kind"] == out["two"]["kind"] == out["kind_expected"]
    assert out["one"] == out["two"]
    assert out["handover_used"] and out["classify_left"] == []   # classify's handover removed when it returns
    assert list(tmp_path.iterdir()) == []                          # the direct call's at exit: nothing left behind


@given(st.lists(st.fractions(), max_size=8))
def test_eigenvalue_texts_are_exact(values):
    exact = [fmpq(x.numerator, x.denominator) for x in values]
    assert _eigenvalues_from_text(_eigenvalues_to_text(exact)) == exact
    assert _eigenvalues_from_text(_eigenvalues_to_text(None)) is None
