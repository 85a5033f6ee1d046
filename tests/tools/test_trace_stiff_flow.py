"""exactdln/numeric/stiff_flow.py, the integrator of the recipe in docs/howto/trace.md: its exact Jacobian.

Expected values come from elsewhere: the Hessian is compared with central differences of the plain loss
1/2 ||W_H...W_1 X - Y||_F^2 + sum lambda_h/2 ||W_h||_F^2 written out here with numpy, and it must be symmetric
(a Hessian of a smooth function, Schwarz's theorem).
"""

from __future__ import annotations

import numpy as np
import pytest

from exactdln.numeric.stiff_flow import _gradient, _hessian


def _loss(ws, X, Y, lam):
    P = ws[0]
    for w in ws[1:]:
        P = w @ P
    return 0.5 * np.sum((P @ X - Y) ** 2) + sum(l / 2 * np.sum(w * w) for l, w in zip(lam, ws))


@pytest.mark.parametrize("widths, lam", [([3, 4, 5, 2, 3], [0.0] * 4), ([2, 3, 2], [0.5, 0.25]),
                                         ([3, 1, 2, 4, 3], [0.1, 0.2, 0.3, 0.4])])
def test_the_hessian_is_the_second_derivative_of_the_loss(widths, lam):
    rng = np.random.default_rng(len(widths))
    ws = [rng.standard_normal((widths[i + 1], widths[i])) for i in range(len(widths) - 1)]
    X, Y = rng.standard_normal((widths[0], 7)), rng.standard_normal((widths[-1], 7))
    shapes = [w.shape for w in ws]
    v = np.concatenate([w.ravel() for w in ws])

    def unpack(x):
        out, k = [], 0
        for a, b in shapes:
            out.append(x[k:k + a * b].reshape(a, b))
            k += a * b
        return out

    n, e = len(v), 1e-4
    numeric = np.empty((n, n))
    for i in range(n):                                   # second differences of the loss itself
        for j in range(n):
            ei, ej = np.eye(n)[i] * e, np.eye(n)[j] * e
            numeric[i, j] = (_loss(unpack(v + ei + ej), X, Y, lam) - _loss(unpack(v + ei - ej), X, Y, lam)
                             - _loss(unpack(v - ei + ej), X, Y, lam) + _loss(unpack(v - ei - ej), X, Y, lam)) / (4 * e * e)
    exact = _hessian(ws, X @ X.T, Y @ X.T, lam)
    assert np.allclose(exact, exact.T, atol=1e-10 * np.max(np.abs(exact)))
    assert np.allclose(exact, numeric, atol=1e-5 * np.max(np.abs(exact)))
    grad = np.array([(_loss(unpack(v + np.eye(n)[i] * e), X, Y, lam) - _loss(unpack(v - np.eye(n)[i] * e), X, Y, lam))
                     / (2 * e) for i in range(n)])
    assert np.allclose(_gradient(ws, X @ X.T, Y @ X.T, lam), grad, atol=1e-6 * np.max(np.abs(grad)))
