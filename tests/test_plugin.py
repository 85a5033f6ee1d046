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
