"""Points for the gradient-dynamics tests: a balanced non-diagonal pair (T6 of docs/maths/gradient_flow.md §3.4)
and random rational points of given widths."""

from __future__ import annotations

from fractions import Fraction as F

from exactdln.arith.exact import from_fmpq_mat, to_fmpq_mat
from exactdln.model.problem import Problem, RationalMatrix

# a rational rotation (3-4-5 triangle)
U = RationalMatrix(((F(3, 5), F(-4, 5)), (F(4, 5), F(3, 5))))


def rm(rows):
    """A RationalMatrix from rows of ints, strings or Fractions."""
    return RationalMatrix(tuple(tuple(F(x) for x in r) for r in rows))


def T6_point():
    """X = Y = I, W_1 = diag(1, 2), W_2 = U W_1: balanced (W_2^T W_2 = W_1 W_1^T) and not diagonal."""
    W1 = rm([[1, 0], [0, 2]])
    W2 = from_fmpq_mat(to_fmpq_mat(U) * to_fmpq_mat(W1))
    return Problem.create([[1, 0], [0, 1]], [[1, 0], [0, 1]]), (W1, W2)


def random_point(rng, dims, lam=0):
    """Random small-integer data (5 samples) and random rational weights of widths ``dims``."""
    X = [[rng.randint(-3, 3) for _ in range(5)] for _ in range(dims[0])]
    Y = [[rng.randint(-3, 3) for _ in range(5)] for _ in range(dims[-1])]
    Ws = tuple(rm([[F(rng.randint(-4, 4), rng.randint(1, 3)) for _ in range(dims[h])] for _ in range(dims[h + 1])])
               for h in range(len(dims) - 1))
    return Problem.create(X, Y, lam), Ws
