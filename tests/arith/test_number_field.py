"""Arithmetic over a real number field (exactdln.arith.number_field). Expected values come from hand-worked
identities of the golden ratio phi = (1 + sqrt 5)/2 (phi^2 = phi + 1, phi^n = F_n phi + F_(n-1), the
convergents F_(n+1)/F_n alternating around phi), closed-form eigenvalues, the cube root of 2, Sylvester's
law of inertia, and the Galois conjugate 1 - phi = -1/phi computed through its own isolating interval."""

from __future__ import annotations

import math
from fractions import Fraction as F

import pytest
from flint import fmpq_mat
from hypothesis import given, strategies as st

from exactdln.arith.number_field import FieldMatrix, NumberField, field_symmetric_inertia
from exactdln.model.problem import InputError
from exactdln.model.results import Inertia

GOLDEN = [-1, -1, 1]                  # x^2 - x - 1
PHI = (1 + math.sqrt(5)) / 2


@pytest.fixture(scope="module")
def K():
    return NumberField.from_polynomial(GOLDEN, [1, 2])


@pytest.fixture(scope="module")
def K_conj():
    """The same polynomial at its other real root 1 - phi in [-1, 0]."""
    return NumberField.from_polynomial(GOLDEN, [-1, 0])


def fib(n: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def test_golden_identities(K):
    phi = K.theta
    assert phi * phi == phi + 1
    assert 1 / phi == phi - 1
    for n in range(2, 30):
        assert phi ** n == fib(n) * phi + fib(n - 1)
    assert K.degree == 2 and not phi.is_rational
    assert (phi * (1 - phi)).rational() == -1      # phi times its conjugate: the constant term of x^2 - x - 1


def test_signs_of_convergents(K, K_conj):
    """8/5 < phi < 13/8, and F_(n+1)/F_n lies below phi for odd n, above for even n."""
    phi = K.theta
    assert (phi - F(8, 5)).sign() == 1
    assert (phi - F(13, 8)).sign() == -1
    for n in range(1, 60):
        assert (phi - F(fib(n + 1), fib(n))).sign() == (1 if n % 2 else -1)
    assert (phi - phi).sign() == 0
    # at the conjugate root 1 - phi = -0.618...: -2/3 < 1 - phi < -3/5
    t = K_conj.theta
    assert (t - F(-2, 3)).sign() == 1 and (t - F(-3, 5)).sign() == -1
    assert (t - F(8, 5)).sign() == -1


def test_cube_root_of_two():
    """Q(2^(1/3)): theta^3 = 2, 5/4 < 2^(1/3) < 63/50; 1/theta = theta^2 / 2."""
    K = NumberField.from_polynomial([-2, 0, 0, 1], [1, 2])
    t = K.theta
    assert K.degree == 3
    assert t ** 3 == 2
    assert 1 / t == t * t / 2
    assert (t - F(5, 4)).sign() == 1 and (t - F(63, 50)).sign() == -1
    assert (t * t - F(63, 50)).sign() == 1          # 2^(2/3) = 1.587...


def test_reducible_polynomial_uses_the_factor_of_the_root():
    """(x^2 - 2)(x - 3) on [1, 2]: theta = sqrt 2, a field of degree 2 although degree 3 was declared."""
    K = NumberField.from_polynomial([6, -2, -3, 1], [1, 2])
    assert K.degree == 2 and K.declared_degree == 3
    t = K.theta
    assert t * t == 2
    assert K.element([0, 0, 1]) == 2                 # theta^2 given as a coefficient vector of length 3
    rational = NumberField.from_polynomial([6, -2, -3, 1], [F(5, 2), 4])   # the root 3
    assert rational.degree == 1 and rational.theta == 3


@pytest.mark.parametrize("poly, interval, where", [
    ([1, -2, 1], [0, 2], "field.minpoly"),          # (x - 1)^2: not squarefree
    ([-2, 0, 1, 0], [0, 1], "field.interval"),      # sqrt 2 is not in [0, 1]
    (GOLDEN, [-1, 2], "field.interval"),            # both roots
    (GOLDEN, [2, 3], "field.interval"),             # none
    ([5], [0, 1], "field.minpoly"),                 # a constant
    (GOLDEN, [2, 1], "field.interval"),             # empty interval
])
def test_bad_fields_are_refused(poly, interval, where):
    with pytest.raises(InputError) as err:
        NumberField.from_polynomial(poly, interval)
    assert err.value.field == where


def test_rank_over_K_differs_from_the_coefficient_view(K):
    """[[1, phi], [phi, phi + 1]]: row 2 = phi * row 1 (phi^2 = phi + 1), so rank 1 over K, while its
    coefficient matrices [[1,0],[0,1]] and [[0,1],[1,1]] are each invertible over Q."""
    phi = K.theta
    A = FieldMatrix.from_rows(K, [[1, phi], [phi, phi + 1]])
    assert A.rank() == 1
    assert all(fmpq_mat(c).rank() == 2 for c in A.coeffs)
    B = FieldMatrix.from_rows(K, [[1, phi, 2], [phi, phi + 1, 2 * phi], [0, 1, phi]])
    assert B.rank() == 2
    assert FieldMatrix.from_rows(K, [[1, phi], [phi, 1]]).rank() == 2
    assert FieldMatrix.from_rows(K, [[0, 0], [0, 0]]).rank() == 0


def test_inertia_closed_form(K, K_conj):
    """[[1,1],[1,0]] has eigenvalues phi and 1 - phi: (1, 1, 0). [[t, 1], [1, t - 1]] has determinant
    t^2 - t - 1 = 0 and trace 2t - 1: (1, 0, 1) at phi, (0, 1, 1) at 1 - phi. [[0, t], [t, 0]] needs a 2x2 pivot."""
    for field in (K, K_conj):
        assert field_symmetric_inertia(FieldMatrix.from_rows(field, [[1, 1], [1, 0]])) == Inertia(1, 1, 0)
        t = field.theta
        assert field_symmetric_inertia(FieldMatrix.from_rows(field, [[0, t], [t, 0]])) == Inertia(1, 1, 0)
    assert field_symmetric_inertia(FieldMatrix.from_rows(K, [[K.theta, 1], [1, K.theta - 1]])) == Inertia(1, 0, 1)
    t = K_conj.theta
    assert field_symmetric_inertia(FieldMatrix.from_rows(K_conj, [[t, 1], [1, t - 1]])) == Inertia(0, 1, 1)
    phi = K.theta
    D = FieldMatrix.from_rows(K, [[phi - F(8, 5), 0, 0], [0, phi - F(13, 8), 0], [0, 0, 0]])
    assert field_symmetric_inertia(D) == Inertia(1, 1, 1)


def test_products_match_entrywise(K):
    phi = K.theta
    A = FieldMatrix.from_rows(K, [[1, phi], [phi * phi, 3]])
    B = FieldMatrix.from_rows(K, [[phi, 0], [1, phi - 1]])
    C = A * B
    for i in range(2):
        for j in range(2):
            assert C[i, j] == sum((A[i, k] * B[k, j] for k in range(2)), K.element(0))
    assert (A * phi)[0, 1] == phi + 1
    assert A.transpose()[0, 1] == phi + 1


# --- property tests ---------------------------------------------------------------------------------------------

small = st.fractions(min_value=-20, max_value=20, max_denominator=12)
elements = st.tuples(small, small)


@given(elements, elements)
def test_sign_is_multiplicative_and_matches_floats(a, b):
    K = NumberField.from_polynomial(GOLDEN, [1, 2])
    x, y = K.element(list(a)), K.element(list(b))
    assert (x * y).sign() == x.sign() * y.sign()
    value = float(a[0]) + float(a[1]) * PHI
    if abs(value) > 1e-9:
        assert x.sign() == (1 if value > 0 else -1)
    else:
        # phi is irrational and badly approximable: |a_0 + a_1 phi| > 1e-9 unless a_0 = a_1 = 0 at these heights
        assert a == (0, 0) and x.sign() == 0


def _invertible(K, n, data):
    """A unit upper-triangular times a diagonal with nonzero entries: invertible over K."""
    rows = []
    for i in range(n):
        row = []
        for j in range(n):
            if j < i:
                row.append(0)
            elif j == i:
                row.append(K.element([data.draw(st.integers(1, 4)), data.draw(st.integers(-3, 3))]))
            else:
                row.append(K.element([data.draw(st.integers(-3, 3)), data.draw(st.integers(-3, 3))]))
        rows.append(row)
    return FieldMatrix.from_rows(K, rows)


@given(st.data())
def test_rank_invariant_under_invertible_factors(data):
    """rank(M A N) = rank(A) for M, N invertible; A = U V with U n x r, V r x m has rank <= r."""
    K = NumberField.from_polynomial(GOLDEN, [1, 2])
    n, m, r = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4)), data.draw(st.integers(0, 3))
    entry = st.tuples(st.integers(-3, 3), st.integers(-3, 3)).map(list)
    U = FieldMatrix.from_rows(K, [[data.draw(entry) for _ in range(r)] for _ in range(n)]) if r else None
    V = FieldMatrix.from_rows(K, [[data.draw(entry) for _ in range(m)] for _ in range(r)]) if r else None
    A = U * V if r else FieldMatrix.from_rows(K, [[0] * m for _ in range(n)])
    rank = A.rank()
    assert rank <= min(n, m, r)
    M, N = _invertible(K, n, data), _invertible(K, m, data)
    assert (M * A * N).rank() == rank
    assert A.regular_representation().rank() == 2 * rank


@given(st.data())
def test_sylvester_congruence(data):
    """inertia(T^T D T) = inertia(D) for T invertible (Sylvester's law of inertia), D diagonal with
    entries whose signs are known by hand (phi - 8/5 > 0, phi - 13/8 < 0, 0, 1, -1)."""
    K = NumberField.from_polynomial(GOLDEN, [1, 2])
    phi = K.theta
    choices = [(phi - F(8, 5), 1), (phi - F(13, 8), -1), (K.element(0), 0), (K.element(1), 1), (K.element(-1), -1)]
    n = data.draw(st.integers(1, 4))
    picks = [data.draw(st.sampled_from(choices)) for _ in range(n)]
    D = FieldMatrix.from_rows(K, [[picks[i][0] if i == j else 0 for j in range(n)] for i in range(n)])
    T = _invertible(K, n, data)
    S = T.transpose() * D * T
    signs = [s for _, s in picks]
    assert field_symmetric_inertia(S) == Inertia(signs.count(1), signs.count(-1), signs.count(0))


def test_signs_of_far_convergents_take_few_refinements(monkeypatch):
    """F_(n+1)/F_n - phi has size about 1/F_n^2 (about 2^-13,900 at n = 10,000) and the sign of the
    convergent alternates (odd n below phi). Deciding it by bisection would need 13,900 halvings of the
    interval; the verified Newton refinement doubles the bits each time, so a few dozen suffice."""
    K = NumberField.from_polynomial(GOLDEN, [1, 2])
    phi = K.theta
    calls = []
    refine = NumberField._refine

    def counted(self):
        calls.append(1)
        refine(self)
    monkeypatch.setattr(NumberField, "_refine", counted)
    for n in (9_999, 10_000):
        assert (phi - F(fib(n + 1), fib(n))).sign() == (1 if n % 2 else -1)
    assert len(calls) < 100


def test_inverse_of_an_element_with_long_coefficients():
    """In Q(2^(1/3)) the inverse of a + b theta (b != 0) satisfies (a + b theta) * inverse = 1, and
    1/(c theta) = theta^2 / (2c); here with 20,000-bit rationals, where the inverse solves a linear system."""
    K = NumberField.from_polynomial([-2, 0, 0, 1], [1, 2])
    t = K.theta
    a, b = F(3**12_000 + 1, 7**4_000), F(-(5**8_000), 11**3_000 + 2)
    x = a + b * t
    assert x * (1 / x) == 1
    c = F(2**20_001 + 3, 3**9_000)
    assert 1 / (c * t) == t * t / (2 * c)
