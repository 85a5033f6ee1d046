"""The pytest plugin, exercised through pytester (it is loaded via the pytest11 entry point)."""

pytest_plugins = ["pytester"]


def test_helpers_pass_and_fail_with_side_by_side_messages(pytester):
    pytester.makepyfile(
        """
        import numpy as np
        from exactdln.model.problem import Problem
        from exactdln.numeric.float64 import hessian_matrix_float
        from exactdln.pytest_plugin import assert_critical, assert_kind, assert_inertia_matches

        P = Problem.create([[1, 0], [0, 1]], [[3, 0], [0, 1]])
        TC2B = [[[1, 0], [0, 1]], [[3, 0], [0, 0]], [[1, 0], [0, 0]]]     # docs/maths/classification.md §8: strict saddle

        def test_ok():
            assert_critical(P, TC2B)
            ev = np.linalg.eigvalsh(hessian_matrix_float(P, TC2B))
            assert_inertia_matches(ev, P, TC2B)

        def test_wrong_kind():
            assert_kind(P, TC2B, "non_strict_saddle")

        def test_not_critical():
            assert_critical(P, [[[1, 0], [0, 1]], [[1, 0], [0, 1]], [[1, 0], [0, 1]]])

        def test_wrong_spectrum():
            assert_inertia_matches([1.0] * 12, P, TC2B)

        def test_fixture(exact_critical_point):
            assert_critical(exact_critical_point.problem, exact_critical_point.weights)
            assert exact_critical_point.kind in ("global_minimizer", "strict_saddle", "non_strict_saddle")
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4, failed=3)
    result.stdout.fnmatch_lines(["*expected non_strict_saddle, got strict_saddle*", "*float64: kind=inconclusive if_critical=strict_saddle*"])
    result.stdout.fnmatch_lines(["*point is not critical*", "*gradient block W_*"])
    result.stdout.fnmatch_lines(["*does not match the exact inertia*", "*exact:   inertia*"])


# ------------------------------------------------------------ assert_near_critical, tolerances, float inputs
# X = I, Y = diag(3, 1) (docs/maths/classification.md §8): W_2 W_1 = diag(3, 1) fits Y, L = 0, a global
# minimizer; W_1 = diag(3, 0), W_2 = diag(1, 0) fits the eigenvalue 3 only (S = {1}, r = 1 < r_max = 2, H = 2):
# a strict saddle with L = 1/2 (0 - 1)^2 = 1/2.

import numpy as np
import numpy.fft  # noqa: F401  (imported before the pytester run above, which unloads what it imported; numpy
import pytest     # refuses to load its C modules twice)
import scipy.linalg  # noqa: F401

from exactdln.pytest_plugin import assert_inertia_matches, assert_kind, assert_near_critical

X_I, Y_31 = np.eye(2), np.diag([3.0, 1.0])


def _noisy(*matrices, scale=1e-9):
    rng = np.random.default_rng(5)
    return [np.array(m, dtype=float) + scale * rng.standard_normal((2, 2)) for m in matrices]


def test_near_critical_global_minimizer_and_saddle():
    r = assert_near_critical(_noisy(np.diag([3.0, 1.0]), np.eye(2)), X_I, Y_31, kind="global_minimizer", exact="decimal")
    assert r.kind == "global_minimizer"
    with pytest.raises(AssertionError) as info:
        assert_near_critical(_noisy(np.diag([3.0, 0.0]), np.diag([1.0, 0.0])), X_I, Y_31, kind="global_minimizer",
                             exact="decimal")
    message = str(info.value)
    assert "expected global_minimizer, found strict_saddle" in message and "L = 1/2" in message


def test_near_critical_reads_a_torch_model():
    torch = pytest.importorskip("torch")
    model = torch.nn.Sequential(torch.nn.Linear(2, 2, bias=False), torch.nn.Linear(2, 2, bias=False))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[3.0, 0.0], [0.0, 1.0]]))
        model[1].weight.copy_(torch.eye(2))
    assert_near_critical(model, torch.eye(2), torch.diag(torch.tensor([3.0, 1.0])), kind="global_minimizer",
                         exact="binary")


def test_float_inputs_are_assertion_failures_that_explain():
    with pytest.raises(AssertionError, match="exact='decimal'"):
        assert_near_critical(_noisy(np.eye(2), np.eye(2)), X_I, Y_31)          # float data, no rule
    with pytest.raises(AssertionError, match="assert_near_critical"):
        assert_kind(*_exact_31(), )


def _exact_31():
    from exactdln import Problem

    return Problem.create([[1, 0], [0, 1]], [[3, 0], [0, 1]]), [np.diag([3.0, 0.0]), np.diag([1.0, 0.0])], "strict_saddle"


def _fd_hessian(W1, W2, h=1e-4):
    """Central finite differences of L(W) = 1/2 ||W_2 W_1 - Y||^2 (X = I): an independent float Hessian."""
    def L(v):
        A, B = v[:4].reshape(2, 2), v[4:].reshape(2, 2)
        return 0.5 * np.sum((B @ A - Y_31) ** 2)

    v0 = np.concatenate([W1.ravel(), W2.ravel()])
    n = v0.size
    Hm = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            e_i, e_j = np.eye(n)[i] * h, np.eye(n)[j] * h
            Hm[i, j] = (L(v0 + e_i + e_j) - L(v0 + e_i - e_j) - L(v0 - e_i + e_j) + L(v0 - e_i - e_j)) / (4 * h * h)
    return np.linalg.eigvalsh((Hm + Hm.T) / 2)


def test_inertia_matches_a_finite_difference_hessian_within_tol():
    from exactdln import Problem

    problem = Problem.create([[1, 0], [0, 1]], [[3, 0], [0, 1]])
    W1, W2 = np.diag([3.0, 0.0]), np.diag([1.0, 0.0])
    eigenvalues = _fd_hessian(W1, W2)
    exact_weights = [[[3, 0], [0, 0]], [[1, 0], [0, 0]]]
    assert_inertia_matches(eigenvalues, problem, exact_weights, tol=1e-5)
    with pytest.raises(AssertionError, match="does not match"):
        assert_inertia_matches(-eigenvalues, problem, exact_weights, tol=1e-5)
