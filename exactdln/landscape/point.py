"""An exact view of one point: data, weights and the products every formula needs.

Notation (docs/maths/README.md §2): W_{j:i} = W_j ... W_i for j >= i and
W_{i-1:i} = I. The quantities cached here are the *prefix* products W_{h-1:1}, the
*suffix* products W_{H:h+1}, Sigma_XX = X X^T, Sigma_YX = Y X^T and the residual
G = Sigma_YX - W_{H:1} Sigma_XX.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Sequence

from math import lcm

from flint import fmpq, fmpq_mat, fmpz_mat, nmod_mat

from exactdln.arith.exact import (frobenius_squared, identity, integer_frobenius_inner, is_identity_model,
                                  is_zero_matrix, model_frobenius_squared, model_integer_matrix, modular_pivot_columns,
                                  multiply, ordered_product, ordered_product_integer, to_fmpq_mat, word_primes)
from exactdln.model.problem import Problem, RationalMatrix, normalize_point


class PointShape:
    """Shapes of a point with layers ``W`` (matrices with nrows()/ncols()) and a ``problem``.

    Shared by :class:`ExactPoint` (over Q) and exactdln.landscape.number_field_point.FieldPoint (over a
    number field K), so that the widths, the bottleneck r_max and the per-layer lambdas are defined once.
    """

    W: list
    problem: Any

    @property
    def depth(self) -> int:
        return len(self.W)

    @cached_property
    def widths(self) -> tuple[int, ...]:
        """(d_0, d_1, ..., d_H) with d_0 = d_x and d_H = d_y."""
        return (self.W[0].ncols(),) + tuple(w.nrows() for w in self.W)

    @property
    def r_max(self) -> int:
        """min(d_0, ..., d_H): the bottleneck; every product has rank <= r_max."""
        return min(self.widths)

    @property
    def n_parameters(self) -> int:
        """sum_h d_h d_(h-1), from the widths (no layer needs to be formed)."""
        d = self.widths
        return sum(d[h] * d[h - 1] for h in range(1, len(d)))

    def layer_blocks(self, vector: Sequence[Any]) -> list[list[list[Any]]]:
        """A parameter vector (layers 1..H, row-major inside a layer: the Hessian's order) as H matrices."""
        out, k = [], 0
        for h in range(1, self.depth + 1):
            rows, cols = self.widths[h], self.widths[h - 1]
            out.append([list(vector[k + a * cols:k + (a + 1) * cols]) for a in range(rows)])
            k += rows * cols
        return out

    @cached_property
    def lambdas(self) -> tuple[fmpq, ...]:
        return tuple(fmpq(l.numerator, l.denominator) for l in self.problem.layer_lambdas(self.depth))


@dataclass
class ExactPoint(PointShape):
    """Exact (flint) matrices of a point; built once, shared by all exact computations."""

    problem: Problem
    weights_model: tuple[RationalMatrix, ...]

    @cached_property
    def W(self) -> list[fmpq_mat]:        # type: ignore[override]
        """The layers as FLINT rational matrices, formed on first use (a child that proves Sigma's eigenvalues
        never needs them: exactdln/landscape/spectral.py, prove_eigenvalues_in_background)."""
        return [to_fmpq_mat(w) for w in self.weights_model]

    @property
    def depth(self) -> int:
        return len(self.weights_model)

    @cached_property
    def widths(self) -> tuple[int, ...]:
        """(d_0, d_1, ..., d_H), from the model's shapes (no FLINT matrix formed)."""
        return (self.weights_model[0].ncols,) + tuple(w.nrows for w in self.weights_model)

    @classmethod
    def of(cls, problem: Problem, weights: Any) -> "ExactPoint":
        if isinstance(weights, ExactPoint):
            return weights
        return cls(problem, normalize_point(problem, weights))

    # --- data -------------------------------------------------------------------
    @cached_property
    def X(self) -> fmpq_mat:
        return to_fmpq_mat(self.problem.X)

    @cached_property
    def Y(self) -> fmpq_mat:
        return to_fmpq_mat(self.problem.Y)

    @cached_property
    def sigma_xx(self) -> fmpq_mat:
        return multiply(self.X, self.X.transpose())

    @cached_property
    def sigma_yx(self) -> fmpq_mat:
        return multiply(self.Y, self.X.transpose())

    @cached_property
    def sigma_yx_integer(self) -> tuple[fmpz_mat, int]:
        """(B, b) with Sigma_YX = Y X^T = B / b, B integer, from the model's integers
        (:func:`exactdln.arith.exact.model_integer_matrix`): no entry of Y is reduced to lowest terms. When a child
        process forms it (exactdln/landscape/spectral.py, prove_eigenvalues_in_background) it is taken from there."""
        source = self.__dict__.pop("_sigma_yx_source", None)
        if source is not None:
            received = source()
            if received is not None:
                return received
        B_y, b_y = model_integer_matrix(self.problem.Y)
        if is_identity_model(self.problem.X):
            return B_y, b_y
        B_x, b_x = model_integer_matrix(self.problem.X)
        return B_y * B_x.transpose(), b_y * b_x

    @cached_property
    def sigma_yy_trace(self) -> fmpq:
        """tr Sigma_YY = ||Y||_F^2, from the integers of the model's Y (no flint matrix needed): with white data
        (X = I) from Sigma_YX = Y = B / b over one denominator, sum B_ij^2 / b^2 in FLINT integers (at depth 8, width
        128 with 8,000-bit entries of Y, CPython's squares took 0.46 s CPU, these 0.12 s)."""
        if is_identity_model(self.problem.X):
            B, b = self.sigma_yx_integer
            return fmpq(integer_frobenius_inner(B, B), b * b)
        return model_frobenius_squared(self.problem.Y)

    # --- products -----------------------------------------------------------------
    @cached_property
    def prefix(self) -> list[fmpq_mat]:
        """prefix[h] = W_{h:1} for h = 0..H (prefix[0] = I_{d_0})."""
        out = [identity(self.widths[0])]
        for w in self.W:
            out.append(multiply(w, out[-1]))    # same product; short when W_h has per-column denominators
        return out

    @cached_property
    def suffix(self) -> list[fmpq_mat]:
        """suffix[h] = W_{H:h+1} for h = 0..H (suffix[H] = I_{d_H})."""
        H = self.depth
        out: list[fmpq_mat] = [identity(self.widths[H])] * (H + 1)
        for h in range(H - 1, -1, -1):
            out[h] = multiply(out[h + 1], self.W[h])
        return out

    def product(self, i: int, j: int) -> fmpq_mat:
        """W_{j:i} = W_j ... W_i (1-based; the identity of size d_{i-1} when j = i - 1)."""
        if j == i - 1:
            return identity(self.widths[i - 1])
        if i == 1:
            return self.prefix[j]
        if j == self.depth:
            return self.suffix[i - 1]
        # one chain per i, extended as j grows: asking for every (i, j) costs O(H^2) products, not O(H^3)
        chains = self.__dict__.setdefault("_product_chains", {})
        last, out = chains.get(i, (i, self.W[i - 1]))
        if j < last:
            out, last = self.W[i - 1], i
        for h in range(last, j):
            out = multiply(self.W[h], out)
        chains[i] = (j, out)
        return out

    @cached_property
    def end_to_end(self) -> fmpq_mat:
        """W_{H:1}: from the prefix products when they are formed (or the point is small), else with the cheapest
        adjacent pair first (:func:`exactdln.arith.exact.ordered_product`; the theorem route needs no other
        prefix product)."""
        if "end_to_end_integer" in self.__dict__:
            N, n = self.end_to_end_integer
            return fmpq_mat(N) / n if n != 1 else fmpq_mat(N)
        if "prefix" in self.__dict__ or self.n_parameters < 4096:   # small points: the prefix products are wanted anyway
            return self.prefix[self.depth]
        return ordered_product(self.W)

    @cached_property
    def end_to_end_integer(self) -> tuple[fmpz_mat, int]:
        """(N, n) with W_{H:1} = N / n, N integer (not necessarily in lowest terms entrywise). At scale the last
        product is formed over the integers (:func:`exactdln.arith.exact.ordered_product_integer`); the theorem route
        then never forms W_{H:1} over Q."""
        if "end_to_end" in self.__dict__ or "prefix" in self.__dict__ or self.n_parameters < 4096:
            N, n = self.end_to_end.numer_denom()
            return N, int(n)
        return ordered_product_integer(self.W)

    @cached_property
    def residual_integer(self) -> tuple[fmpz_mat, int]:
        """(Z, z) with G = Sigma_YX - W_{H:1} Sigma_XX = Z / z, Z integer, z = lcm of the two denominators.

        Integer scalings and one subtraction, in C; no entry is reduced to lowest terms (the zero tests, ranks and
        the loss need none: docs/maths/classification.md §3.9)."""
        if "residual" in self.__dict__:
            Z, z = self.residual.numer_denom()
            return Z, int(z)
        if is_identity_model(self.problem.X):          # Sigma_XX = I
            N, n = self.end_to_end_integer
        else:
            N, n = multiply(self.end_to_end, self.sigma_xx).numer_denom()
            n = int(n)
        B, b = self.sigma_yx_integer     # after the product: a child may be forming it meanwhile
        common = lcm(b, n)
        return B * (common // b) - N * (common // n), common

    @cached_property
    def residual(self) -> fmpq_mat:
        """G = Sigma_YX - W_{H:1} Sigma_XX = (Y - W_{H:1} X) X^T."""
        Z, z = self.residual_integer
        return fmpq_mat(Z) / z if z != 1 else fmpq_mat(Z)

    # --- the blocks K_hk = W_{H:k+1}^T G W_{h-1:1}^T, by chains of single layers ---------------------
    # grad_h = -K_hh (lambda = 0) and the pivots of Achour et al. are the (h, k), h < k, with K_hk != 0
    # (docs/maths/classification.md §3.1, §5). K_hk = W_{k+1}^T K_{h,k+1} and
    # K_{h,H} = G W_{h-1:1}^T = (G W_{h-2:1}^T) W_{h-1}^T, so every block is one single-layer product
    # away from a neighbour, and a zero block makes all blocks further down its chain zero (exactly).
    # No product W_{H:k+1} or W_{h-1:1} of several layers is multiplied with G.

    @cached_property
    def residual_times_prefix_transposes(self) -> list[fmpq_mat | None]:
        """T[h - 1] = G W_{h-1:1}^T for h = 1..H (T_1 = G, T_{h+1} = T_h W_h^T); None stands for an exact zero."""
        out: list[fmpq_mat | None] = []
        current: fmpq_mat | None = self.residual
        for h in range(1, self.depth + 1):
            if current is not None and is_zero_matrix(current):
                current = None
            out.append(current)
            if h < self.depth and current is not None:
                current = current * self.W[h - 1].transpose()     # FLINT's cleared product: faster than multiply here
        return out

    @cached_property
    def residual_factors(self) -> tuple[fmpq_mat, fmpq_mat] | None:
        """(C, R) with G = C R / s for a rational s != 0, C (d_y x k) of full column rank k = rk G (proven), when
        1 <= rk G <= min(d_y, d_0) / 4; None otherwise (G = 0, G of large rank, or a failed modular guess).

        Skeleton decomposition: with Z = s G integer (one common denominator), a k x k minor Z[I, J] that is
        nonzero modulo a prime is nonzero over Q, so rk Z >= k; with X = Z[I, J]^-1 Z[I, :] = X_n / x (X_n integer),
        x Z = Z[:, J] X_n is checked exactly (one integer product d_y x k x d_0), which gives rk Z <= k and the
        factors C = Z[:, J], R = X_n. Rows and columns are chosen modulo one prime (a guess: a wrong choice fails
        the check and costs only the dense chains). At the critical points of docs/maths/classification.md §7
        G has the rank of the unfitted part, often 1, and the chains below then multiply vectors, not matrices.
        """
        Z = self.residual_integer[0]
        n, m = Z.nrows(), Z.ncols()
        if n == 0 or m == 0 or Z.is_zero():
            return None
        prime = word_primes(1)[0]
        columns = modular_pivot_columns(nmod_mat(Z, prime))
        k = len(columns)
        if 4 * k > min(n, m):
            return None
        Z_J = fmpz_mat(n, k, [Z[i, j] for i in range(n) for j in columns])
        rows = modular_pivot_columns(nmod_mat(Z_J.transpose(), prime))
        if len(rows) != k:
            return None
        minor = fmpq_mat(k, k, [Z[i, j] for i in rows for j in columns])
        X = minor.solve(fmpq_mat(k, m, [Z[i, j] for i in rows for j in range(m)]))
        X_n, x = X.numer_denom()
        if Z * x != Z_J * X_n:
            return None
        self._residual_factor_scale = int(x)           # Z = Z_J X_n / x (the loss reads ||Z||^2 from it)
        return fmpq_mat(Z_J), fmpq_mat(X_n)

    def _factor_chain(self, side: str, index: int) -> fmpq_mat | None:
        """With G = C R / s (:attr:`residual_factors`): side "right": R W_{index-1:1}^T; side "left":
        W_{H:index+1}^T C; None for an exact zero (then every later link of the chain is zero too)."""
        chains = self.__dict__.setdefault("_factor_chains", {})
        key = (side, index)
        if key in chains:
            return chains[key]
        C, R = self.residual_factors
        if side == "right":
            value = R if index == 1 else self._factor_chain("right", index - 1)
            if index > 1 and value is not None:
                value = value * self.W[index - 2].transpose()
        else:
            value = C if index == self.depth else self._factor_chain("left", index + 1)
            if index < self.depth and value is not None:
                value = self.W[index].transpose() * value
        if value is not None and is_zero_matrix(value):
            value = None
        chains[key] = value
        return value

    def _factored_block_zero(self, h: int) -> dict[int, bool]:
        """{k: K_hk == 0} from G = C R / s: K_hk = W_{H:k+1}^T C R W_{h-1:1}^T / s, a product of a d_k x k and a
        k x d_(h-1) factor. C has full column rank, so every K_hk vanishes when R W_{h-1:1}^T does; for rank 1 the
        outer product of two nonzero vectors is nonzero; otherwise the product is formed (exact)."""
        H = self.depth
        right = self._factor_chain("right", h)
        flags: dict[int, bool] = {}
        zero_below = right is None
        for k in range(H, h - 1, -1):
            if not zero_below:
                left = self._factor_chain("left", k)
                if left is None:
                    zero_below = True
                elif left.ncols() > 1:
                    zero_below = is_zero_matrix(left * right)
            flags[k] = zero_below      # K_{h,k-1} = W_k^T K_hk: zero from the first zero block on
        return flags

    def residual_block_zero(self, h: int) -> dict[int, bool]:
        """{k: K_hk == 0} for k = h..H, with K_hk = W_{H:k+1}^T G W_{h-1:1}^T (exact; cached per h)."""
        cache = self.__dict__.setdefault("_residual_block_zero", {})
        if h in cache:
            return cache[h]
        if self.residual_factors is not None:
            cache[h] = self._factored_block_zero(h)
            return cache[h]
        H = self.depth
        current = self.residual_times_prefix_transposes[h - 1]
        flags: dict[int, bool] = {}
        for k in range(H, h - 1, -1):
            if current is not None and is_zero_matrix(current):
                current = None
            flags[k] = current is None
            if k > h and current is not None:
                current = self.W[k - 1].transpose() * current  # K_{h,k-1} = W_k^T K_hk
        cache[h] = flags
        return flags

    def first_nonzero_gradient_layer(self) -> int | None:
        """The least h with dL/dW_h != 0 at lambda = 0, or None at a critical point (exact).

        dL/dW_h = -W_{H:h+1}^T G W_{h-1:1}^T = -K_hh (Yun et al. 2018, Lemma 3.2; docs/maths/classification.md §5).
        """
        if any(lam != 0 for lam in self.lambdas):
            raise ValueError("first_nonzero_gradient_layer is the unregularized gradient")
        for h in range(1, self.depth + 1):
            if not self.residual_block_zero(h)[h]:
                return h
        return None

    @cached_property
    def loss_value(self) -> fmpq:
        """L(W) = 1/2 (tr Sigma_YY - <P, Sigma_YX + G>) + sum_h lambda_h/2 ||W_h||^2, P = W_{H:1}.

        From ||P X - Y||^2 = tr Sigma_YY - 2 <P, Sigma_YX> + tr(P Sigma_XX P^T) and
        P Sigma_XX = Sigma_YX - G: two Frobenius inner products, no product with X. When X = I the squared
        error is ||G||^2 itself.
        """
        Z, z = self.residual_integer
        if is_identity_model(self.problem.X):
            # X = I: P X - Y = -G, so the squared error is ||G||^2 = ||Z||^2 / z^2 (one pass over Z, no product
            # with P: at depth 8, width 128 with 8,000-bit entries 0.28 s -> 0.01 s CPU); when the gradient chains
            # have factored Z = C R / x (rank k), ||Z||^2 = <C^T C, R R^T> / x^2 from two k x k Gram matrices
            # (rank 1 at width 128: 0.13 s -> 0.01 s)
            factors = self.__dict__.get("residual_factors")
            if factors is not None:
                C, R = (f.numer_denom()[0] for f in factors)      # integer matrices (built from integers)
                x = self._residual_factor_scale
                squared = integer_frobenius_inner(C.transpose() * C, R * R.transpose())
                value = fmpq(squared, x * x * z * z) / 2
            else:
                value = fmpq(integer_frobenius_inner(Z, Z), z * z) / 2
        else:
            N, n = self.end_to_end_integer
            B, b = self.sigma_yx_integer
            # <P, Sigma_YX + G> = <N, B z + Z b> / (n b z): integers only
            value = (self.sigma_yy_trace - fmpq(integer_frobenius_inner(N, B * z + Z * b), n * b * z)) / 2
        for lam, w in zip(self.lambdas, self.W):
            if lam != 0:
                value += lam * frobenius_squared(w) / 2
        return value


def exact_point(problem: Problem, weights: Sequence[Any] | ExactPoint) -> ExactPoint:
    return ExactPoint.of(problem, weights)
