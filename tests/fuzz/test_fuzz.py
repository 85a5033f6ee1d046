"""Hostile input through every reading command: no traceback, no hang, the documented exit code.

Generators: tests/fuzz/hostile.py (point files, family files, certificate mutants: the classes of the
fuzzing campaign listed there); judge: tests/fuzz/harness.py (the command-line contract, and an
independent recomputation of every claim of a certificate the checker accepts); .npz point files come
from tests/fuzz/hostile_npz.py. The default run tries a few inputs of each kind (a few seconds);
``pytest -m fuzz`` runs the large campaign in the
suite, and ``python bench/fuzz.py`` runs it at 10^4-10^5 inputs with peak memory and timings.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.harness import (
    certificate_findings,
    findings,
    honest_family_certificates,
    honest_point_certificates,
    run,
)
from tests.fuzz.hostile import DrawChooser, hostile_certificate, hostile_family, hostile_point
from tests.fuzz.hostile_field import honest_field_certificates, hostile_field_certificate
from tests.fuzz.hostile_npz import hostile_npz

BUDGET = 10.0            # seconds per input (--timeout)
SMALL = settings(max_examples=3, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FIELD_SMALL = settings(max_examples=30, deadline=None, database=None,
                       suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
LARGE = settings(max_examples=400, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

_HONEST: dict[str, list] = {}


def _honest(kind: str) -> list:
    if kind not in _HONEST:
        _HONEST[kind] = {"point": honest_point_certificates, "family": honest_family_certificates,
                         "field": honest_field_certificates}[kind]()
    return _HONEST[kind]


def _write(folder: str, name: str, text: str) -> Path:
    path = Path(folder) / name
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    return path


def _judge_file(mutation: str, text: str, command: str, stem: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = _write(folder, f"{stem}.json", text)
        extra = ("-o", os.path.join(folder, f"{stem}.cert.json")) if command == "certify" else ()
        outcome = run(command, path, BUDGET, extra)
        assert not findings(outcome, BUDGET), (mutation, text[:300], findings(outcome, BUDGET))


def _judge_point(data, command: str, heavy: bool = False) -> None:
    _judge_file(*hostile_point(DrawChooser(data), heavy=heavy), command, "p")


def _judge_family(data, command: str) -> None:
    _judge_file(*hostile_family(DrawChooser(data)), command, "f")


def _judge_npz(data, command: str) -> None:
    """An .npz point (tests/fuzz/hostile_npz.py) through a command that reads one, floats by a named rule or none."""
    chooser = DrawChooser(data)
    mutation, text = hostile_npz(chooser)
    name, *options = command.split()
    floats = chooser.choice([("--floats", "decimal"), ("--floats", "binary"), ()])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.npz"
        path.write_bytes(text.encode("utf-8", "surrogateescape"))
        outcome = run(name, path, BUDGET, tuple(options) + floats)
        assert not findings(outcome, BUDGET), (mutation, findings(outcome, BUDGET))


def _judge_certificate(data, kind: str, light: bool = True) -> None:
    if kind == "field":
        mutation, text = hostile_field_certificate(DrawChooser(data), _honest(kind), light=light)
    else:
        mutation, text = hostile_certificate(DrawChooser(data), _honest(kind))
    with tempfile.TemporaryDirectory() as folder:
        path = _write(folder, "c.json", text)
        outcome = run("check", path, BUDGET, json_output=False)
        bad = findings(outcome, BUDGET)
        if not bad and outcome.code == 0:
            bad = certificate_findings(text, True)
        assert not bad, (mutation, text[:300], bad)


@pytest.mark.parametrize("command", ["classify", "crosscheck", "certify", "snap", "gd", "flow"])
@SMALL
@given(data=st.data())
def test_hostile_points(command, data):
    _judge_point(data, command)


@pytest.mark.parametrize("command", ["classify", "certify"])
@SMALL
@given(data=st.data())
def test_hostile_families(command, data):
    _judge_family(data, command)


@pytest.mark.parametrize("kind", ["point", "family"])
@SMALL
@given(data=st.data())
def test_hostile_certificates(kind, data):
    _judge_certificate(data, kind)


@FIELD_SMALL
@given(data=st.data())
def test_hostile_field_certificates(data):
    """Certificates over a number field (tests/fuzz/hostile_field.py), the oracle recomputing at theta
    (tests/fuzz/harness.py field_certificate_findings)."""
    _judge_certificate(data, "field")


NPZ_COMMANDS = ["snap", "gd", "classify --snap"]


@pytest.mark.parametrize("command", NPZ_COMMANDS)
@SMALL
@given(data=st.data())
def test_hostile_npz_points(command, data):
    _judge_npz(data, command)


@pytest.mark.fuzz
@pytest.mark.parametrize("command", ["classify", "crosscheck", "certify", "snap", "regularized", "gd", "flow"])
@LARGE
@given(data=st.data())
def test_hostile_points_campaign(command, data):
    _judge_point(data, command, heavy=True)


@pytest.mark.fuzz
@pytest.mark.parametrize("command", ["classify", "certify"])
@LARGE
@given(data=st.data())
def test_hostile_families_campaign(command, data):
    _judge_family(data, command)


@pytest.mark.fuzz
@pytest.mark.parametrize("kind", ["point", "family", "field"])
@LARGE
@given(data=st.data())
def test_hostile_certificates_campaign(kind, data):
    _judge_certificate(data, kind, light=False)


@pytest.mark.fuzz
@pytest.mark.parametrize("command", NPZ_COMMANDS)
@LARGE
@given(data=st.data())
def test_hostile_npz_points_campaign(command, data):
    _judge_npz(data, command)
