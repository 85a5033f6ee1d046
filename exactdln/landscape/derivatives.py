"""Exact loss, gradient and Hessian of the deep linear network loss.

L(W) = 1/2 ||W_{H:1} X - Y||_F^2 + sum_h lambda_h/2 ||W_h||_F^2.

- Gradient (Yun et al. 2018, Lemma 3.2; docs/maths/classification.md §5, with the 1/2):
  dL/dW_h = -W_{H:h+1}^T G W_{h-1:1}^T + lambda_h W_h,  G = Sigma_YX - W_{H:1} Sigma_XX.
- Hessian quadratic form at any W (docs/maths/classification.md §5):
  Hess[T, T] = ||D1(T) X||^2 - 2 <G, D2(T)> + sum_h lambda_h ||T_h||^2, with
  D1(T) = sum_h W_{H:h+1} T_h W_{h-1:1} and
  D2(T) = sum_{h<k} W_{H:k+1} T_k W_{k-1:h+1} T_h W_{h-1:1}.
- Hessian matrix (docs/maths/hessian_inertia.md §1): parameters ordered layer by layer (h = 1..H), the entries of each
  W_h in row-major order. Block (k, h) for k != h at rows (a, b) of W_k and columns
  (c, d) of W_h is
      [A_k^T A_h]_{ac} [C_k Sigma_XX C_h^T]_{bd}                (Gauss-Newton)
    - [A_k^T G C_h^T]_{ad} [W_{k-1:h+1}]_{bc}      if k > h      (curvature of the product)
  with A_h = W_{H:h+1}, C_h = W_{h-1:1}; the diagonal blocks have the Gauss-Newton part
  plus lambda_h I.
"""

from __future__ import annotations

from typing import Any, Sequence

from flint import fmpq, fmpq_mat

from exactdln.arith.exact import frobenius_squared, from_fmpq_mat, to_fmpq_mat
from exactdln.model.problem import Problem, RationalMatrix, as_weights
from exactdln.landscape.point import ExactPoint, exact_point

__all__ = [
    "loss",
    "loss_at",
    "gradient",
    "gradient_at",
    "is_critical",
    "hessian_form",
    "hessian_quadratic",
    "hessian_matrix",
    "hessian_matrix_at",
    "parameter_index",
]


def loss(problem: Problem, weights: Any) -> "fmpq":
    """L(W) = 1/2 ||W_{H:1} X - Y||_F^2 + sum_h lambda_h/2 ||W_h||_F^2, exactly (docs/maths/README.md §2)."""
    p = exact_point(problem, weights)
    return loss_at(p)


def loss_at(p: ExactPoint) -> fmpq:
    """:func:`loss` at a point whose products are already formed (docs/maths/README.md §2)."""
    diff = p.end_to_end * p.X - p.Y
    value = frobenius_squared(diff) / 2
    for lam, w in zip(p.lambdas, p.W):
        if lam != 0:
            value += lam * frobenius_squared(w) / 2
    return value


def gradient_at(p: ExactPoint) -> list[fmpq_mat]:
    """The blocks dL/dW_h of :func:`gradient` as FLINT matrices, from the products of ``p``
    (Yun et al. 2018, Lemma 3.2; docs/maths/classification.md §5)."""
    G = p.residual
    out = []
    for h in range(1, p.depth + 1):
        g = -(p.suffix[h].transpose() * G * p.prefix[h - 1].transpose())
        lam = p.lambdas[h - 1]
        if lam != 0:
            g = g + p.W[h - 1] * lam
        out.append(g)
    return out


def gradient(problem: Problem, weights: Any) -> tuple[RationalMatrix, ...]:
    """dL/dW_h = -W_{H:h+1}^T G W_{h-1:1}^T + lambda_h W_h for h = 1..H (docs/maths/README.md §2)."""
    return tuple(from_fmpq_mat(g) for g in gradient_at(exact_point(problem, weights)))


def is_critical(problem: Problem, weights: Any) -> bool:
    """True iff every gradient block dL/dW_h (Yun et al. 2018, Lemma 3.2; docs/maths/classification.md §5)
    vanishes exactly."""
    return all(all(x == 0 for x in g.entries()) for g in gradient_at(exact_point(problem, weights)))


def _as_direction(p: ExactPoint, direction: Any) -> list[fmpq_mat]:
    if isinstance(direction, (list, tuple)) and direction and isinstance(direction[0], fmpq_mat):
        return list(direction)
    ds = as_weights(direction, "direction")
    if len(ds) != p.depth or any(d.shape != (w.nrows(), w.ncols()) for d, w in zip(ds, p.W)):
        raise ValueError("direction must have the shapes of the weights")
    return [to_fmpq_mat(d) for d in ds]


def hessian_form(problem: Problem, weights: Any, direction: Any) -> fmpq:
    """Hess L(W)[T, T] = ||D1(T) X||^2 - 2 <G, D2(T)> + sum_h lambda_h ||T_h||^2 without building the matrix.

    Equals 2 x the t^2 coefficient of L(W + tT) (docs/maths/classification.md §5).
    """
    p = exact_point(problem, weights)
    return hessian_quadratic(p.W, p.prefix, p.suffix, p.X, p.residual, p.lambdas, _as_direction(p, direction),
                             fmpq(0))


def hessian_quadratic(W: Sequence[Any], prefix: Sequence[Any], suffix: Sequence[Any], X: Any, residual: Any,
                      lambdas: Sequence[Any], T: Sequence[Any], zero: Any) -> Any:
    """Hess[T, T] from the products of a point, over any ring whose matrices FLINT provides.

    ``prefix[h]`` = W_{h:1}, ``suffix[h]`` = W_{H:h+1}, ``residual`` = G; ``zero`` is the ring's
    0 (fmpq(0) for the exact value, nmod(0, p) for its image mod p). The formula of
    :func:`hessian_form`: ||D1(T) X||^2 - 2 <G, D2(T)> + sum_h lambda_h ||T_h||^2.
    """
    H = len(W)
    d1 = None
    for h in range(1, H + 1):
        term = suffix[h] * T[h - 1] * prefix[h - 1]
        d1 = term if d1 is None else d1 + term
    value = sum((x * x for x in (d1 * X).entries()), zero)
    # D2 = sum_{h<k} A_k T_k B_{kh} T_h C_h, accumulated as sum_k A_k T_k (sum_{h<k} B_{kh} T_h C_h)
    # where inner_k = sum_{h<k} W_{k-1:h+1} T_h W_{h-1:1} satisfies inner_{k+1} = W_k inner_k + T_k W_{k-1:1}.
    inner = None
    d2 = None
    for k in range(1, H + 1):
        if inner is not None:
            term = suffix[k] * T[k - 1] * inner
            d2 = term if d2 is None else d2 + term
            inner = W[k - 1] * inner + T[k - 1] * prefix[k - 1]
        else:
            inner = T[k - 1] * prefix[k - 1]
    if d2 is not None:
        value -= 2 * sum((g * x for g, x in zip(residual.entries(), d2.entries())), zero)
    for lam, t in zip(lambdas, T):
        if lam != 0:
            value += lam * sum((x * x for x in t.entries()), zero)
    return value


def parameter_index(widths: Sequence[int], layer: int, row: int, col: int) -> int:
    """Position of (W_layer)[row, col] (layer 1-based, row and col 0-based) in the Hessian's parameter order."""
    offset = sum(widths[h] * widths[h - 1] for h in range(1, layer))
    return offset + row * widths[layer - 1] + col


def hessian_matrix(problem: Problem, weights: Any) -> fmpq_mat:
    """The n x n Hessian of L at W, in the documented parameter order (see the module docstring;
    docs/maths/hessian_inertia.md §1)."""
    return hessian_matrix_at(exact_point(problem, weights))


def hessian_matrix_at(p: ExactPoint, *, assemble: Any = fmpq_mat) -> fmpq_mat:
    """:func:`hessian_matrix` from the products of ``p`` (the block formula of the module docstring,
    docs/maths/hessian_inertia.md §1). ``assemble(n, n, entries)`` builds the result: ``fmpq_mat``, or the
    matrix type of a point over a number field (exactdln/landscape/number_field_point.py)."""
    H = p.depth
    widths = p.widths
    sizes = [widths[h] * widths[h - 1] for h in range(1, H + 1)]
    offsets = [sum(sizes[:h]) for h in range(H)]
    n = sum(sizes)
    A = [p.suffix[h] for h in range(1, H + 1)]          # A_h = W_{H:h+1}
    C = [p.prefix[h - 1] for h in range(1, H + 1)]      # C_h = W_{h-1:1}
    CS = [c * p.sigma_xx for c in C]
    G = p.residual
    rows: list[list[Any]] = [[0] * n for _ in range(n)]
    for k in range(1, H + 1):
        Ak_t = A[k - 1].transpose()
        for h in range(1, k + 1):
            left = (Ak_t * A[h - 1]).tolist()                    # d_k x d_h  ([A_k^T A_h]_{ac})
            right = (CS[k - 1] * C[h - 1].transpose()).tolist()  # d_{k-1} x d_{h-1}  ([C_k S C_h^T]_{bd})
            if h < k:
                K = (Ak_t * G * C[h - 1].transpose()).tolist()  # d_k x d_{h-1}
                B = p.product(h + 1, k - 1).tolist()            # d_{k-1} x d_h
            ok, oh = offsets[k - 1], offsets[h - 1]
            dk, dk1, dh, dh1 = widths[k], widths[k - 1], widths[h], widths[h - 1]
            for a in range(dk):
                la = left[a]
                for b in range(dk1):
                    rb = right[b]
                    row = rows[ok + a * dk1 + b]
                    for c in range(dh):
                        lac = la[c]
                        base = oh + c * dh1
                        if h < k:
                            Bbc = B[b][c]
                            Ka = K[a]
                            i = ok + a * dk1 + b
                            for d in range(dh1):
                                v = lac * rb[d] - Ka[d] * Bbc
                                row[base + d] = v
                                rows[base + d][i] = v
                        else:
                            for d in range(dh1):
                                row[base + d] = lac * rb[d]
            if h == k and p.lambdas[k - 1] != 0:
                for t in range(sizes[k - 1]):
                    rows[ok + t][ok + t] += p.lambdas[k - 1]
    return assemble(n, n, [x for row in rows for x in row])
