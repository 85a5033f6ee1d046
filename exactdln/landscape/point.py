"""An exact view of one point: data, weights and the products every formula needs.

Notation (docs/maths/README.md §2): W_{j:i} = W_j ... W_i for j >= i and
W_{i-1:i} = I. The quantities cached here are the *prefix* products W_{h-1:1}, the
*suffix* products W_{H:h+1}, Sigma_XX = X X^T, Sigma_YX = Y X^T and the residual
G = Sigma_YX - W_{H:1} Sigma_XX.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Sequence

from flint import fmpq, fmpq_mat

from exactdln.arith.exact import frobenius_squared, identity, multiply, to_fmpq_mat
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
        return sum(w.nrows() * w.ncols() for w in self.W)

    @cached_property
    def lambdas(self) -> tuple[fmpq, ...]:
        return tuple(fmpq(l.numerator, l.denominator) for l in self.problem.layer_lambdas(self.depth))


@dataclass
class ExactPoint(PointShape):
    """Exact (flint) matrices of a point; built once, shared by all exact computations."""

    problem: Problem
    weights_model: tuple[RationalMatrix, ...]
    W: list[fmpq_mat] = field(init=False)

    def __post_init__(self) -> None:
        self.W = [to_fmpq_mat(w) for w in self.weights_model]

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
    def sigma_yy_trace(self) -> fmpq:
        return frobenius_squared(self.Y)

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
        out = self.W[i - 1]
        for h in range(i, j):
            out = multiply(self.W[h], out)
        return out

    @cached_property
    def end_to_end(self) -> fmpq_mat:
        """W_{H:1}."""
        return self.prefix[self.depth]

    @cached_property
    def residual(self) -> fmpq_mat:
        """G = Sigma_YX - W_{H:1} Sigma_XX = (Y - W_{H:1} X) X^T."""
        return self.sigma_yx - multiply(self.end_to_end, self.sigma_xx)


def exact_point(problem: Problem, weights: Sequence[Any] | ExactPoint) -> ExactPoint:
    return ExactPoint.of(problem, weights)
