"""snap: recovers the exact class of rational critical points perturbed by 1e-8 noise."""

import json
import random

import numpy as np
import pytest
from hypothesis import given, settings

from exactdln.cli import main
from exactdln.instances.construct import random_instance, spectral_data, minimal_critical_point
from exactdln.tools.snap import snap

from tests.support.worked_cases import BRIEF_CASES
from tests.support.strategies import instances


def _floats(weights):
    return [np.array([[float(x) for x in row] for row in w.rows]).reshape(w.shape) for w in weights]


@settings(max_examples=25, deadline=None)
@given(instances(max_width=3))
def test_snap_recovers_the_class_under_1e_8_noise(inst):
    rng = np.random.default_rng(0)
    noisy = [w + 1e-8 * rng.standard_normal(w.shape) for w in _floats(inst.weights)]
    r = snap(inst.problem, noisy)
    assert r.snapped and r.kind == inst.expected_kind
    assert r.distance < 1e-6


def test_aligned_route_when_entries_are_irrational():
    # Hidden rescaling by sqrt 2 (a symmetry, docs/maths/classification.md §7) makes every rationalization fail;
    # the minimal construction for the same S (Prop. 1) is a global minimizer when S = [r_max].
    rng = random.Random(4)
    data = spectral_data((5, 2), 2, rng)
    ws = _floats(minimal_critical_point(data, (2, 2, 2), (1, 2)))
    ws[0] *= 2 ** 0.5
    ws[1] /= 2 ** 0.5
    r = snap(data.problem, ws)
    assert r.snapped and r.route == "aligned" and r.kind == "global_minimizer" and r.fitted == (1, 2)
    assert r.distance < 1e-9                     # aligned to the float weights, not just the same S


def test_far_from_critical_is_not_snapped():
    problem, weights, _ = BRIEF_CASES["TC2e"]
    ws = _floats(__import__("exactdln.model.problem", fromlist=["as_weights"]).as_weights(weights))
    ws[0] = ws[0] + 0.3
    r = snap(problem, ws)
    assert not r.snapped and r.notes


def test_snap_command_reads_npz_and_json(tmp_path, capsys):
    inst = random_instance(random.Random(11), kind="strict_saddle")
    fw = [w + 1e-9 for w in _floats(inst.weights)]
    X = np.array([[float(x) for x in r] for r in inst.problem.X.rows])
    path = tmp_path / "run.json"
    path.write_text(json.dumps({"X": inst.problem.X.to_json(), "Y": inst.problem.Y.to_json(),
                                "weights": [w.tolist() for w in fw]}))
    assert main(["snap", "--json", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["kind"] == "strict_saddle"
    if all(x.denominator == 1 for x in inst.problem.X.entries()) and all(y.denominator == 1 for y in inst.problem.Y.entries()):
        npz = tmp_path / "run.npz"
        np.savez(npz, X=X.astype(int), Y=np.array([[int(y) for y in r] for r in inst.problem.Y.rows]),
                 **{f"W{h + 1}": w for h, w in enumerate(fw)})
        assert main(["snap", str(npz)]) == 0
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    assert main(["snap", str(bad)]) == 2


@pytest.mark.parametrize("family,expected", [("minimal", "non_strict_saddle"), ("S3", "strict_saddle"),
                                             ("N1", "non_strict_saddle")])
@pytest.mark.parametrize("depth", [3, 4])
def test_aligned_route_keeps_the_hidden_structure(family, expected, depth):
    # S = [1] < r_max, H >= 3: the class depends on the pivots (docs/maths/classification.md §3 (c)), not on S alone.
    # A float-generic hidden change of basis (docs/maths/classification.md §7, class-preserving) defeats rationalization;
    # the aligned route must keep the hidden ranks and recover the family's class near the float point.
    from exactdln.instances.construct import random_singular_values, segmented_critical_point, two_cut_point
    rng = random.Random(depth)
    widths = (3,) + (3,) * (depth - 1) + (2,)
    data = spectral_data(random_singular_values(2, rng), 3, rng)
    if family == "minimal":
        ws = minimal_critical_point(data, widths, (1,))
    elif family == "S3":
        ws = two_cut_point(data, widths, 1)
    else:   # N1 with dead weights on the spare channels, cuts (1, H) so W_H stays in span U_S
        ws = segmented_critical_point(data, widths, (1,), rng, cuts=(1, depth))
    f = _floats(ws)
    nrng = np.random.default_rng(depth)
    A = [np.eye(widths[0])] + [np.eye(widths[h]) + 0.3 * nrng.standard_normal((widths[h],) * 2) for h in range(1, depth)]
    A.append(np.eye(widths[-1]))
    noisy = [A[h + 1] @ f[h] @ np.linalg.inv(A[h]) + 1e-8 * nrng.standard_normal(f[h].shape) for h in range(depth)]
    r = snap(data.problem, noisy)
    assert r.snapped and r.route == "aligned" and r.kind == expected, str(r)
    assert r.distance < 1e-5


def test_random_families_under_float_generic_changes_of_basis():
    # Random family points (docs/maths/classification.md §3: global, minimal, N1, S1, S2, S3, scrambled data) under a
    # float-generic hidden change of basis (class-preserving, §7) plus 1e-8 noise. The rationalize
    # and aligned routes must give the family's class; the unaligned structure route may differ
    # only where the class depends on pivots (S = [r], r < r_max, H >= 3), and then says so.
    from exactdln.instances.construct import random_instance
    rng, nrng = random.Random(3), np.random.default_rng(3)
    for _ in range(60):
        inst = random_instance(rng, max_depth=4, max_width=3)
        f, widths, H = _floats(inst.weights), inst.widths, len(inst.weights)
        A = [np.eye(widths[0])] + [np.eye(widths[h]) + 0.3 * nrng.standard_normal((widths[h],) * 2) for h in range(1, H)]
        A.append(np.eye(widths[-1]))
        noisy = [A[h + 1] @ f[h] @ np.linalg.inv(A[h]) + 1e-8 * nrng.standard_normal(f[h].shape) for h in range(H)]
        r = snap(inst.problem, noisy)
        assert r.snapped, str(inst)
        if r.route in ("rationalize", "aligned"):
            assert r.kind == inst.expected_kind and r.relative_distance < 1e-4, (str(inst), r.route)
        elif r.kind != inst.expected_kind:
            assert any("pivots" in n for n in r.notes), str(inst)
