"""The certifier's congruence claim and the kernel it needs (exactdln/certify/field.py
field_psd_congruence_evidence, docs/maths/algebraic.md §16).

The congruence claim takes the kernel of the Hessian from the unit vectors of its zero rows and the orbit tangents.
At the golden-ratio depth-3 saddle of tests/trusted/test_checker_field_non_strict.py the hidden units are aligned
with the weights' zero rows, so that kernel is the whole kernel and the claim is written (and the checker accepts
it, which proves H congruent to diag(0_k, B) with B positive definite, k = len(kernel_pivots)). Moving the point
along its symmetry orbit (W_1 -> A W_1, W_2 -> B W_2 A^-1, W_3 -> W_3 B^-1, A and B rational and invertible)
keeps the loss as a function (L o phi = L, phi linear), so the Hessian there is congruent to the first and has the
same k zero eigenvalues; but no row is zero any more, the orbit tangents give fewer than k directions, and the
claim cannot be written: the certifier returns None and its note gives the split of the kernel (the k directions,
0 zero rows, the orbit tangents and the rest)."""

from __future__ import annotations

import re
from fractions import Fraction

from flint import fmpq, fmpq_mat

from exactdln.arith.number_field import FieldMatrix
from exactdln.certify.field import field_psd_congruence_evidence
from exactdln.landscape.number_field_point import FieldPoint, field_gradient
from exactdln.model.field_format import algebraic_point_from_mapping
from exactdln.trusted import checker
from tests.theory.test_number_field_classify import TOP
from tests.trusted.test_checker_field_congruence import with_congruence
from tests.trusted.test_checker_field_non_strict import depth_three


def coefficient_rows(M):
    """A matrix over K in the point-file format: each entry the list of its coefficients."""
    return [[[str(c) for c in x.coefficients()] for x in row] for row in M.tolist()]


def rational(K, rows):
    return FieldMatrix.rational(K, fmpq_mat(len(rows), len(rows[0]), [x for r in rows for x in r]))


def test_kernel_split_is_reported_off_the_aligned_point():
    aligned = with_congruence(depth_three(TOP))
    results = checker.check_certificate(aligned)
    assert all(ok for _, ok, _ in results)
    psd = next(c for c in aligned["claims"] if c["type"] == "psd_hessian")
    k = len(psd["kernel_pivots"])                    # the exact kernel dimension, by the accepted congruence
    problem, weights = algebraic_point_from_mapping(depth_three(TOP))
    point = FieldPoint(problem, tuple(weights))
    K = point.K
    A, A_inv = rational(K, [[2, 1], [1, 1]]), rational(K, [[1, -1], [-1, 2]])
    B, B_inv = rational(K, [[1, 2], [1, 3]]), rational(K, [[3, -2], [-1, 1]])
    W1, W2, W3 = point.W
    mapping = depth_three(TOP)
    mapping["weights"] = [coefficient_rows(M) for M in (A * W1, B * W2 * A_inv, W3 * B_inv)]
    moved = FieldPoint(*(lambda pw: (pw[0], tuple(pw[1])))(algebraic_point_from_mapping(mapping)))
    assert all(x.is_zero() for g in field_gradient(moved) for x in g.entries())     # still critical
    notes: list[str] = []
    assert field_psd_congruence_evidence(moved, notes) is None
    assert len(notes) == 1, notes
    found = re.search(r"about (\d+) directions \(floats\): (\d+) zero rows and (\d+) independent orbit tangents, "
                      r"and (\d+) others", notes[0])
    assert found, notes[0]
    total, zero, orbit, others = map(int, found.groups())
    assert (total, zero) == (k, 0) and orbit + others == k and others > 0


def _moved_point(wide: bool | Fraction = False):
    """The golden-ratio saddle moved off alignment by rational changes of basis A, B of the hidden spaces.

    ``wide``: with W_2 = E_11 + E_22 first (E_11 + wide E_22 for a Fraction). The added E_22 = u v^T has v = e_2
    orthogonal to the range of
    W_1 = [x; 0] and u = e_2 in the kernel of W_3 = [u | 0], so W_{3:1} and every block of the gradient are unchanged
    (the point stays critical) while W_2 has rank 2 > rank W_{3:1} = 1."""
    problem, weights = algebraic_point_from_mapping(depth_three(TOP))
    K = FieldPoint(problem, tuple(weights)).K
    W1, W2, W3 = FieldPoint(problem, tuple(weights)).W
    if wide:
        W2 = W2 + rational(K, [[0, 0], [0, 1 if wide is True else fmpq(wide.numerator, wide.denominator)]])
    A, A_inv = rational(K, [[2, 1], [1, 1]]), rational(K, [[1, -1], [-1, 2]])
    B, B_inv = rational(K, [[1, 2], [1, 3]]), rational(K, [[3, -2], [-1, 1]])
    mapping = depth_three(TOP)
    mapping["weights"] = [coefficient_rows(M) for M in (A * W1, B * W2 * A_inv, W3 * B_inv)]
    return mapping


def test_the_aligning_transport_puts_range_and_kernel_on_unit_vectors():
    # every layer of the moved point has rank 1 = rank W_{3:1}, so R_h = range W_{h:1} and U_h = ker W_{3:h+1} split
    # each hidden space (exactdln/certify/transport.py): in the new coordinates W'_2 = [[m, 0], [0, 0]],
    # W'_1 = [c; 0] and W'_3 = [f | 0], and the transport is exact: A_h A_h^-1 = I and W' = phi(W)
    from exactdln.certify.transport import aligning_transport

    problem, weights = algebraic_point_from_mapping(_moved_point())
    point = FieldPoint(problem, tuple(weights))
    t = aligning_transport(point)
    W1, W2, W3 = t.point.W
    assert all(x.is_zero() for x in (W1[1, 0], W1[1, 1], W2[0, 1], W2[1, 0], W2[1, 1], W3[0, 1], W3[1, 1]))
    assert not W2[0, 0].is_zero()
    for a, b in zip(t.A, t.inverse):
        assert (a * b).tolist() == FieldMatrix.identity(point.K, 2).tolist()
    assert (t.A[0] * point.W[0]).tolist() == W1.tolist()
    assert (t.A[1] * point.W[1] * t.inverse[0]).tolist() == W2.tolist()
    assert (point.W[2] * t.inverse[1]).tolist() == W3.tolist()


def test_off_the_aligned_point_the_certifier_transports_and_the_checker_accepts(monkeypatch):
    # the kind of the moved point is that of the aligned one, which the checker accepts as a non-strict saddle with
    # the congruence evidence at the aligned point (test_kernel_split_is_reported_off_the_aligned_point); with the
    # L D L^T form priced out, the certifier can only reach it through a transport claim
    import sys

    from exactdln.certify.field import field_evidence

    field_module = sys.modules["exactdln.certify.field"]
    monkeypatch.setattr(field_module, "psd_check_units", lambda *a: 10 ** 9)
    aligned = with_congruence(depth_three(TOP))
    assert checker.check_certificate(aligned)[-1][:2] == ("kind", True)
    assert aligned["claims"][-1]["kind"] == "non_strict_saddle"
    problem, weights = algebraic_point_from_mapping(_moved_point())
    document, kind, notes = field_evidence(problem, weights)
    assert kind == "non_strict_saddle"
    assert [c["type"] for c in document["claims"]] == ["transport", "kind"]     # critical at W follows from W'
    assert [c["type"] for c in document["claims"][0]["claims"]] == ["critical", "psd_hessian", "escape_curve", "kind"]
    assert any("certified at the aligned point" in n for n in notes)
    results = checker.check_certificate(document)
    assert all(ok for _, ok, _ in results), results


def test_a_hidden_layer_of_larger_rank_is_aligned_to_a_partial_identity():
    # W_2 maps U_1 = ker W_{3:2} onto U_2 = ker W_3 (rank 2 - 1 = 1): in the new coordinates that part is the unit
    # entry (2, 2), so W'_2 = [[m, 0], [0, 1]] (exactdln/certify/transport.py _kernel_chain), and the transport is
    # exact. The point is a strict saddle (the engine's exact Hessian); its negative direction D at W, carried by the
    # same linear map to phi(D), is checked at W' inside a transport claim, which the checker accepts with that kind
    from exactdln.certify.field import field_evidence
    from exactdln.certify.transport import aligning_transport
    from exactdln.theory.classify import classify

    problem, weights = algebraic_point_from_mapping(_moved_point(wide=True))
    point = FieldPoint(problem, tuple(weights))
    assert point.W[1].rank() == 2 and point.end_to_end.rank() == 1
    assert all(x.is_zero() for g in field_gradient(point) for x in g.entries())
    t = aligning_transport(point)
    assert t is not None
    W1, W2, W3 = t.point.W
    assert all(x.is_zero() for x in (W1[1, 0], W1[1, 1], W2[0, 1], W2[1, 0], W3[0, 1], W3[1, 1]))
    assert W2[1, 1] == point.K.element(1) and not W2[0, 0].is_zero()
    for a, b in zip(t.A, t.inverse):
        assert (a * b).tolist() == FieldMatrix.identity(point.K, 2).tolist()
    assert (t.A[0] * point.W[0]).tolist() == W1.tolist()
    assert (t.A[1] * point.W[1] * t.inverse[0]).tolist() == W2.tolist()
    assert (point.W[2] * t.inverse[1]).tolist() == W3.tolist()

    assert classify(problem, weights, method="hessian").kind == "strict_saddle"
    document, kind, _ = field_evidence(problem, weights)
    assert kind == "strict_saddle"
    direction = next(c for c in document["claims"] if c["type"] == "strict_saddle")["direction"]
    K = point.K
    D = [FieldMatrix.from_rows(K, [[K.element([Fraction(c) for c in x] if isinstance(x, list) else Fraction(x))
                                    for x in row] for row in M]) for M in direction]
    moved = [t.A[0] * D[0], t.A[1] * D[1] * t.inverse[0], D[2] * t.inverse[1]]

    document["claims"] = [
        {"type": "transport", "weights": [coefficient_rows(w) for w in t.point.W],
         "A": [coefficient_rows(a) for a in t.A], "A_inverse": [coefficient_rows(b) for b in t.inverse],
         "claims": [{"type": "critical"}, {"type": "strict_saddle", "direction": [coefficient_rows(M) for M in moved]},
                    {"type": "kind", "kind": "strict_saddle"}]},
        {"type": "kind", "kind": "strict_saddle"}]
    results = checker.check_certificate(document)
    assert all(ok for _, ok, _ in results), results


def test_two_consecutive_wide_layers_are_aligned_to_partial_permutations():
    # depth 4: W_1 = [x; 0], W_2 = W_3 = I_2, W_4 = [u | 0] (the golden-ratio saddle with one more identity layer,
    # and E_22 added to both hidden maps): U_1 = ker W_{4:2}, U_2 = ker W_{4:3}, U_3 = ker W_4 are each spanned by
    # e_2 and W_2, W_3 map them onto each other, two consecutive nonzero maps of the chain of kernels. Moved off
    # alignment by rational changes of basis; the transport brings every hidden layer back to 0s and 1s outside the
    # k = 1 block, exactly (W' = phi(W), A_h A_h^-1 = I)
    from exactdln.certify.transport import aligning_transport

    base = depth_three(TOP)
    problem, weights = algebraic_point_from_mapping(base)
    K = FieldPoint(problem, tuple(weights)).K
    W1, _, W4 = FieldPoint(problem, tuple(weights)).W
    I2 = rational(K, [[1, 0], [0, 1]])
    A, A_inv = rational(K, [[2, 1], [1, 1]]), rational(K, [[1, -1], [-1, 2]])
    B, B_inv = rational(K, [[1, 2], [1, 3]]), rational(K, [[3, -2], [-1, 1]])
    C, C_inv = rational(K, [[1, 1], [0, 1]]), rational(K, [[1, -1], [0, 1]])
    mapping = dict(base)
    mapping["weights"] = [coefficient_rows(M) for M in (A * W1, B * I2 * A_inv, C * I2 * B_inv, W4 * C_inv)]
    problem, weights = algebraic_point_from_mapping(mapping)
    point = FieldPoint(problem, tuple(weights))
    assert [w.rank() for w in point.W] == [1, 2, 2, 1] and point.end_to_end.rank() == 1
    assert all(x.is_zero() for g in field_gradient(point) for x in g.entries())      # critical, as the depth-3 one
    t = aligning_transport(point)
    assert t is not None
    one = point.K.element(1)
    for W in t.point.W[1:3]:                       # hidden layers: [[m, 0], [0, 1]]
        assert W[0, 1].is_zero() and W[1, 0].is_zero() and W[1, 1] == one and not W[0, 0].is_zero()
    assert t.point.W[0][1, 0].is_zero() and t.point.W[0][1, 1].is_zero()
    assert t.point.W[3][0, 1].is_zero() and t.point.W[3][1, 1].is_zero()
    for a, b in zip(t.A, t.inverse):
        assert (a * b).tolist() == FieldMatrix.identity(point.K, 2).tolist()
    assert (t.A[0] * point.W[0]).tolist() == t.point.W[0].tolist()
    for h in (1, 2):
        assert (t.A[h] * point.W[h] * t.inverse[h - 1]).tolist() == t.point.W[h].tolist()
    assert (point.W[3] * t.inverse[2]).tolist() == t.point.W[3].tolist()


def test_a_strict_saddle_too_flat_for_floats_at_w_is_certified_at_the_aligned_point():
    # the wide-middle saddle with W_2 = E_11 + 10^-12 E_22: the negative curvature at W shrinks with the 10^-12 (the
    # floats see none), while the transport carries that scale into A_2 and W'_2 = [[m, 0], [0, 1]], where the same
    # saddle has a negative direction of unit scale; its kind is the engine's exact one at W (strict: the pivot of the
    # wide layer is not tightened: docs/maths/classification.md §3.3)
    import numpy as np

    from exactdln.certify.field import field_evidence, field_hessian
    from exactdln.theory.classify import classify

    problem, weights = algebraic_point_from_mapping(_moved_point(wide=Fraction(1, 10 ** 12)))
    point = FieldPoint(problem, tuple(weights))
    values = np.linalg.eigvalsh(np.array([[float(x) for x in row] for row in field_hessian(point).tolist()]))
    assert values[0] > -1e-9 * max(1.0, float(np.max(np.abs(values))))          # no negative eigenvalue for floats
    assert classify(problem, weights, method="hessian").kind == "strict_saddle"
    document, kind, notes = field_evidence(problem, weights)
    assert kind == "strict_saddle"
    assert [c["type"] for c in document["claims"]] == ["transport", "kind"]
    assert [c["type"] for c in document["claims"][0]["claims"]] == ["critical", "strict_saddle", "kind"]
    results = checker.check_certificate(document)
    assert all(ok for _, ok, _ in results), results
