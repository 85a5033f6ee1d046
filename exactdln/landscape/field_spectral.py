"""Spectral facts over a real number field K: Sigma, assumption (H), the fitted index set S, the top-k test.

The rational path (:mod:`exactdln.landscape.spectral`) isolates the eigenvalues of Sigma as roots of its
rational characteristic polynomial. Over K that polynomial has coefficients in K, so the eigenvalues are
counted instead (docs/maths/algebraic.md §9): for a rational c, Sylvester's law of inertia gives

    #{eigenvalues of Sigma > c} = n_plus(Sigma - c I),

an inertia over K (:func:`exactdln.arith.number_field.field_symmetric_inertia`, signs exact at the
embedding). Exact bisection on c isolates the d_y eigenvalues when they are distinct (checked first:
the resultant of chi_Sigma and its derivative is nonzero in K) and gives separators c_1 > ... > c_(d_y - 1)
with exactly i eigenvalues above c_i. When range W_{H:1} = span B is Sigma-invariant (always at a critical
point, docs/maths/classification.md §2.1), Sigma is block diagonal on span B and its orthogonal
complement, so n_plus(B^T (Sigma - c I) B) counts the fitted eigenvalues above c; at the separators this
reads off S. No float is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

from exactdln.arith.number_field import (
    FieldMatrix,
    column_basis,
    field_charpoly,
    field_inverse,
    field_symmetric_inertia,
    has_distinct_roots,
)
from exactdln.model.results import Assumptions

__all__ = ["FieldSpectralFacts", "MAX_BISECTIONS"]

MAX_BISECTIONS = 4000      # evaluations of the counting function before isolation gives up (then: undecided)


@dataclass
class FieldSpectralFacts:
    """Exact spectral facts of the data and the product of a :class:`~exactdln.landscape.number_field_point.FieldPoint`."""

    point: object

    @cached_property
    def sigma_xx_invertible(self) -> bool:
        return self.point.sigma_xx.rank() == self.point.widths[0]

    @cached_property
    def sigma(self) -> FieldMatrix:
        """Sigma = Sigma_YX Sigma_XX^-1 Sigma_XY over K (needs Sigma_XX invertible)."""
        p = self.point
        return p.sigma_yx * field_inverse(p.sigma_xx) * p.sigma_yx.transpose()

    @cached_property
    def assumptions(self) -> Assumptions:
        """(H): Sigma_XX invertible, rank Sigma_YX = d_y, chi_Sigma without repeated roots (resultant != 0 in K)."""
        p = self.point
        if not self.sigma_xx_invertible:
            return Assumptions(False, None, None)
        full = p.sigma_yx.rank() == p.widths[-1]
        return Assumptions(True, full, has_distinct_roots(field_charpoly(self.sigma)))

    def count_above(self, c: Fraction, basis: FieldMatrix | None = None) -> tuple[int, int]:
        """(n_plus, n_zero) of B^T (Sigma - c I) B (B = I when ``basis`` is None), exactly over K."""
        K = self.point.K
        shifted = self.sigma - FieldMatrix.identity(K, self.sigma.nrows()) * c
        if basis is not None:
            if basis.ncols() == 0:
                return 0, 0
            shifted = basis.transpose() * shifted * basis
        inertia = field_symmetric_inertia(shifted)
        return inertia.n_plus, inertia.n_zero

    @cached_property
    def separators(self) -> list[Fraction] | None:
        """[c_1, ..., c_(d-1)], c_i rational with exactly i eigenvalues of Sigma above it and none equal to it;
        None when the eigenvalues are not distinct or isolation did not finish within MAX_BISECTIONS."""
        if not self.sigma_xx_invertible or not self.assumptions.distinct_eigenvalues:
            return None
        d = self.sigma.nrows()
        K = self.point.K
        trace = self.sigma.trace()
        width = Fraction(1, 2**20)
        top = K.approximate(trace.poly, width) + width + 1      # Sigma is PSD: every eigenvalue <= tr Sigma
        counts: dict[Fraction, int] = {}

        def count(c: Fraction) -> int | None:
            n_plus, n_zero = self.count_above(c)
            if n_zero:
                return None
            counts[c] = n_plus
            return n_plus

        low = Fraction(-1)
        if count(low) != d or count(top) != 0:
            return None
        stack = [(low, top)]
        evaluations = 2
        while stack:
            lo, hi = stack.pop()
            if counts[lo] - counts[hi] <= 1:
                continue
            mid = (lo + hi) / 2
            step = (hi - lo) / 7
            while count(mid) is None:                # an eigenvalue equals mid: move off it
                mid += step
                step /= 3
                evaluations += 1
            evaluations += 1
            if evaluations > MAX_BISECTIONS:
                return None
            stack += [(lo, mid), (mid, hi)]
        by_count = {}
        for c, n in counts.items():
            by_count.setdefault(n, c)
        if any(i not in by_count for i in range(1, d)):
            return None
        return [by_count[i] for i in range(1, d)]

    @cached_property
    def range_basis(self) -> FieldMatrix:
        """Columns of W_{H:1} that form a basis of its range over K."""
        P = self.point.end_to_end
        return P.columns(column_basis(P))

    @cached_property
    def range_invariant(self) -> bool:
        """span B is Sigma-invariant: rank [B, Sigma B] = rank B."""
        B = self.range_basis
        return B.ncols() == 0 or B.hstack(self.sigma * B).rank() == B.ncols()

    def fitted_eigen_indices(self) -> tuple[int, ...] | None:
        """S: 1-based positions, in decreasing order, of the eigenvalues of Sigma on range W_{H:1}
        (docs/maths/classification.md §2.1), or None when the eigenvalues are not isolated or the range is
        not invariant."""
        separators = self.separators
        if separators is None or not self.range_invariant:
            return None
        B = self.range_basis
        r = B.ncols()
        d = self.sigma.nrows()
        fitted_above = [0] + [self.count_above(c, B)[0] for c in separators] + [r]
        S = tuple(i for i in range(1, d + 1) if fitted_above[i] - fitted_above[i - 1] == 1)
        if len(S) != r or any(fitted_above[i] - fitted_above[i - 1] not in (0, 1) for i in range(1, d + 1)):
            raise ArithmeticError("fitted eigenvalue counts are inconsistent with the rank of the product")
        return S

    def top_eigenspace_test(self, k: int) -> tuple[bool | None, str]:
        """Is tr(P_range Sigma) the sum of the k largest eigenvalues (Yun et al. 2018, Thm 2.2, Ky Fan form,
        docs/maths/global_optimality.md §2.1 (e))? None when it cannot be decided over K (repeated eigenvalues)."""
        if not self.range_invariant:
            return False, "range of the product is not Sigma-invariant"
        B = self.range_basis
        r = B.ncols()
        if r > k:
            return False, f"rank {r} exceeds r_max = {k}"
        if r < k:
            # the top k - r eigenvalues off the range must be 0: no positive eigenvalue off it (Sigma is PSD)
            off = self.count_above(Fraction(0))[0] - self.count_above(Fraction(0), B)[0]
            if off:
                return False, f"rank {r} < r_max = {k} and an unfitted eigenvalue is positive"
            return True, f"rank {r} < r_max = {k} but every unfitted eigenvalue is 0"
        if r == self.sigma.nrows():
            return True, "range of the product is all of the fitted space"
        S = self.fitted_eigen_indices()
        if S is None:
            return None, "eigenvalues of Sigma not isolated over K (repeated eigenvalues)"
        if S == tuple(range(1, k + 1)):
            c = self.separators[k - 1]
            return True, f"the fitted eigenvalues are the {k} largest (all > {c}, the others < {c}; exact inertia over K)"
        return False, f"fitted eigenvalues at positions {list(S)}, not the top {k}"
