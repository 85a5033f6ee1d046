"""Ranks of the partial products W_{j:i} over a number field, against their definition and hand-built drops.

field_partial_ranks settles most ranks by a modular lower bound meeting a proven upper bound
(docs/maths/classification.md §3.7 carried to K); the expected values here come from the construction of the
layers, or from the definition rank_K A = rank_Q(regular representation of A) / [K : Q] (docs/maths/algebraic.md §4).
"""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from exactdln.landscape.number_field_point import FieldPoint, field_partial_ranks
from exactdln.model.field_format import algebraic_point_from_mapping

GOLDEN = {"minpoly": [-1, -1, 1], "interval": [1, 2]}          # theta = phi, phi^2 = phi + 1


def _point(weights, d0, dH):
    data = {"field": GOLDEN, "X": [[1 if i == j else 0 for j in range(d0)] for i in range(d0)],
            "Y": [[0] * d0 for _ in range(dH)], "weights": weights}
    problem, ws = algebraic_point_from_mapping(data)
    return FieldPoint(problem, tuple(ws))


def _by_definition(point, i, j):
    product = point.product(i, j)
    if product.is_zero():
        return 0
    return product.regular_representation().rank() // point.K.degree     # FLINT's rank over Q


def test_a_product_of_two_rank_one_layers_that_vanishes():
    """W_1 = u v^T with u = (1, phi), v = (phi, 1); W_2 = (phi, -1) is orthogonal to u, so W_2 W_1 = 0 although each
    layer has rank 1 (the upper bound is 1, every modular image of the product is 0 as well: the exact rank decides)."""
    phi = ["0", "1"]
    phi2 = ["1", "1"]
    W1 = [[phi, "1"], [phi2, phi]]
    W2 = [[phi, "-1"]]
    W3 = [["1"], ["2"]]
    ranks = field_partial_ranks(_point([W1, W2, W3], 2, 2))
    assert ranks == {(1, 1): 1, (2, 2): 1, (3, 3): 1, (1, 2): 0, (2, 3): 1, (1, 3): 0}


def test_a_long_chain_with_one_rank_one_layer():
    """Depth 12, width 2: every layer is phi times a rotation-like invertible integer matrix except layer 7, of rank 1
    and not killed by its neighbours (invertible), so rk W_{j:i} = 1 when i <= 7 <= j and 2 otherwise."""
    phi = ["0", "1"]
    invertible = [[phi, "1"], ["1", "0"]]                  # det = -1
    weights = [invertible] * 6 + [[["1", "0"], ["0", "0"]]] + [invertible] * 5
    ranks = field_partial_ranks(_point(weights, 2, 2))
    H = 12
    for i in range(1, H + 1):
        for j in range(i, H + 1):
            assert ranks[(i, j)] == (1 if i <= 7 <= j else 2)


entry = st.lists(st.integers(-2, 2), min_size=2, max_size=2).map(lambda c: [str(c[0]), str(c[1])])


@st.composite
def chains(draw):
    widths = draw(st.lists(st.integers(1, 3), min_size=3, max_size=6))
    weights = []
    for a, b in zip(widths, widths[1:]):
        rank_one = draw(st.booleans())
        if rank_one:                       # an outer product: rank <= 1, drops likely
            u = [draw(entry) for _ in range(b)]
            v = [draw(st.integers(-1, 1)) for _ in range(a)]
            weights.append([[[str(int(x) * c) for x in u[r]] for c in v] for r in range(b)])
        else:
            weights.append([[draw(entry) for _ in range(a)] for _ in range(b)])
    return widths, weights


@settings(max_examples=40, deadline=None)
@given(chains())
def test_ranks_equal_their_definition(chain):
    widths, weights = chain
    point = _point(weights, widths[0], widths[-1])
    ranks = field_partial_ranks(point)
    H = len(weights)
    for i in range(1, H + 1):
        for j in range(i, H + 1):
            assert ranks[(i, j)] == _by_definition(point, i, j), (i, j)
