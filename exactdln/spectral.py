"""Sigma, assumption (H) and the index set S of fitted eigenvalues, all exact.

Sigma = Sigma_YX Sigma_XX^-1 Sigma_XY (Baldi-Hornik; yun.md §0; achour.md §0), with
eigenvalues lambda_1 > ... > lambda_{d_y}.

Achour et al. (JMLR 2024) §2, Prop. 1: at a critical point the range of the product
P = W_{H:1} is a Sigma-invariant subspace span(u_i : i in S) with |S| = rank P, and
L(W) = 1/2 (||Y||_F^2 - sum_{i in S} lambda_i) (with our 1/2 convention; yun.md §2.1(d)).

No irrational number is ever formed: a rational basis Q of range P gives the
restriction M = (Q^T Q)^-1 Q^T Sigma Q, whose characteristic polynomial chi_S divides
chi_Sigma; exact real-root isolation of chi_Sigma tells which eigenvalues are fitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from flint import fmpq, fmpq_mat, fmpq_poly

from .arith.exact import identity, rank, rref_pivots
from .arith.realroots import RealRoot, compare_roots, isolate_real_roots, sign_at
from .landscape.point import ExactPoint
from .results import Assumptions

__all__ = ["SpectralFacts", "spectral_facts", "charpoly"]


def charpoly(matrix: fmpq_mat) -> fmpq_poly:
    """det(x I - M) over Q.

    With M = N / d (N integer), chi_M(x) = d^-n chi_N(d x); FLINT's integer charpoly is
    multimodular and much faster than the rational one.
    """
    n = matrix.nrows()
    numerator, d = matrix.numer_denom()
    coefficients = [int(c) for c in numerator.charpoly().coeffs()]   # lowest degree first
    d = int(d)
    return fmpq_poly([fmpq(c, d ** (n - k)) for k, c in enumerate(coefficients)])


@dataclass
class SpectralFacts:
    """Exact spectral facts about the data and the product of one point."""

    point: ExactPoint

    # --- data -----------------------------------------------------------------
    @cached_property
    def sigma_xx_invertible(self) -> bool:
        return rank(self.point.sigma_xx) == self.point.widths[0]

    @cached_property
    def regression(self) -> fmpq_mat:
        """R = Sigma_YX Sigma_XX^-1 (least-squares regression matrix)."""
        p = self.point
        return p.sigma_xx.solve(p.sigma_yx.transpose(), algorithm="dixon").transpose()

    @cached_property
    def sigma(self) -> fmpq_mat:
        """Sigma = Sigma_YX Sigma_XX^-1 Sigma_XY."""
        return self.regression * self.point.sigma_yx.transpose()

    @cached_property
    def chi_sigma(self) -> fmpq_poly:
        return charpoly(self.sigma)

    @cached_property
    def assumptions(self) -> Assumptions:
        """Assumption (H): Sigma_XX invertible, rank Sigma_YX = d_y, Sigma with distinct eigenvalues."""
        p = self.point
        if not self.sigma_xx_invertible:
            return Assumptions(False, None, None)
        full = rank(p.sigma_yx) == p.widths[-1]
        chi = self.chi_sigma
        distinct = chi.gcd(chi.derivative()).degree() == 0
        return Assumptions(True, full, distinct)

    @cached_property
    def sigma_roots(self) -> list[RealRoot]:
        """Distinct eigenvalues of Sigma, increasing, as isolated real roots."""
        return isolate_real_roots(self.chi_sigma)

    # --- the product's range ------------------------------------------------------
    @cached_property
    def _range_rref(self) -> tuple[fmpq_mat, list[int]]:
        """Q (d_y x r) with Q[pivots, :] = I_r: the transposed nonzero rows of rref(P^T)."""
        P = self.point.end_to_end
        d_y = P.nrows()
        if all(x == 0 for x in P.entries()):
            return fmpq_mat(d_y, 0), []
        reduced, pivots = rref_pivots(P.transpose())
        r = len(pivots)
        if r == d_y:
            return identity(d_y), list(range(d_y))
        return fmpq_mat(d_y, r, [reduced[j, i] for i in range(d_y) for j in range(r)]), pivots

    @property
    def range_basis(self) -> fmpq_mat:
        """Q: a rational basis of range W_{H:1} (columns), in reduced form (small entries)."""
        return self._range_rref[0]

    @property
    def product_rank(self) -> int:
        return self.range_basis.ncols()

    @cached_property
    def restriction(self) -> fmpq_mat | None:
        """M with Sigma Q = Q M (the matrix of Sigma on range P), or None if range P is not Sigma-invariant.

        Q restricted to its pivot rows is the identity, so M can only be the pivot rows of
        Sigma Q; invariance is then one exact product check. No linear solve is needed.
        """
        Q, pivots = self._range_rref
        r = Q.ncols()
        if r == 0:
            return fmpq_mat(0, 0)
        SQ = self.sigma * Q
        M = fmpq_mat(r, r, [SQ[i, j] for i in pivots for j in range(r)])
        if SQ != Q * M:
            return None
        return M

    @cached_property
    def chi_fitted(self) -> fmpq_poly | None:
        """chi_S = charpoly of Sigma restricted to range P."""
        M = self.restriction
        if M is None:
            return None
        return charpoly(M) if M.nrows() else fmpq_poly([1])

    @cached_property
    def chi_unfitted(self) -> fmpq_poly | None:
        """chi_perp = chi_Sigma / chi_S (exact division)."""
        chi_s = self.chi_fitted
        if chi_s is None:
            return None
        quotient, remainder = divmod(self.chi_sigma, chi_s)
        if remainder != 0:
            raise ArithmeticError("chi_S does not divide chi_Sigma: range P is not Sigma-invariant")
        return quotient

    def fitted_eigen_indices(self) -> tuple[int, ...] | None:
        """S: 1-based positions, in decreasing order of eigenvalue, of the eigenvalues of Sigma on range P.

        Achour et al. §2 Prop. 1. Needs distinct eigenvalues (else S is not unique: None).
        """
        if not self.sigma_xx_invertible or not self.assumptions.distinct_eigenvalues:
            return None
        chi_s = self.chi_fitted
        if chi_s is None:
            return None
        roots = self.sigma_roots
        d = len(roots)
        fitted = []
        for k, root in enumerate(roots):     # increasing; position from the top is d - k
            if root.lo == root.hi:
                inside = sign_at(chi_s, root.lo) == 0
            else:
                inside = sign_at(chi_s, root.lo) * sign_at(chi_s, root.hi) < 0
            if inside:
                fitted.append(d - k)
        if len(fitted) != chi_s.degree():
            raise ArithmeticError("fitted eigenvalues do not match the rank of the product")
        return tuple(sorted(fitted))

    # --- the global-optimality test (Yun et al. Thm 2.1/2.2, with Ky Fan) ---------------
    def top_eigenspace_test(self, k: int) -> tuple[bool, str]:
        """Is tr(P_range Sigma) the sum of the k largest eigenvalues of Sigma (k = r_max)?

        yun.md §3 step 4, method A, generalized by Ky Fan so that it needs only Sigma_XX
        invertible: with chi_S (roots on range P, r of them) and chi_perp (the rest),
        global <=> min root(chi_S) >= max root(chi_perp), and r = k or every unfitted
        eigenvalue is 0. Decided by exact root isolation, ties by the gcd.
        """
        chi_s, chi_perp = self.chi_fitted, self.chi_unfitted
        if chi_s is None or chi_perp is None:
            return False, "range of the product is not Sigma-invariant"
        r = chi_s.degree()
        if r > k:
            return False, f"rank {r} exceeds r_max = {k}"
        perp_roots = isolate_real_roots(chi_perp)
        if r < k:
            # the remaining top k - r eigenvalues must all be 0: chi_perp = x^(d_y - r)
            if perp_roots and not (len(perp_roots) == 1 and perp_roots[0].lo == perp_roots[0].hi == 0):
                return False, f"rank {r} < r_max = {k} and an unfitted eigenvalue is positive"
            return True, f"rank {r} < r_max = {k} but every unfitted eigenvalue is 0"
        if not perp_roots or r == 0:
            return True, "range of the product is all of the fitted space"
        fitted_roots = isolate_real_roots(chi_s)
        smallest_fitted, largest_unfitted = fitted_roots[0], perp_roots[-1]
        order = compare_roots(smallest_fitted, largest_unfitted)
        if order > 0:
            return True, (
                f"min eigenvalue on range P (~{float(smallest_fitted):.6g}) > max eigenvalue off it "
                f"(~{float(largest_unfitted):.6g})"
            )
        if order == 0:
            return True, "tie lambda_k = lambda_(k+1): top eigenspace ambiguous, value still optimal"
        return False, (
            f"an unfitted eigenvalue (~{float(largest_unfitted):.6g}) exceeds a fitted one "
            f"(~{float(smallest_fitted):.6g})"
        )


def spectral_facts(point: ExactPoint) -> SpectralFacts:
    return SpectralFacts(point)
