"""Which checker reads a certificate file: the top-level "format" member, found by a scan, never a parse.

The expected value comes from ``json.loads`` (the standard library's parser), on texts built with
``json.dumps`` from hypothesis-drawn objects whose strings are full of quotes, backslashes and brackets.
"""

from __future__ import annotations

import json

from hypothesis import given, settings, strategies as st

from exactdln.certify.gate import CHECKER_FILES, certificate_format, certificate_format_of_bytes

FAMILY, POINT = "exactdln-family-certificate", "exactdln-certificate"
_TRICKY = st.text(alphabet='ab"\\[]{}:, format', max_size=12) | st.sampled_from(["format", FAMILY, POINT])
_JSON = st.recursive(st.none() | st.integers() | _TRICKY,
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TRICKY, inner, max_size=4),
                     max_leaves=20)


def _expected(text: str) -> str:
    data = json.loads(text)
    fmt = data.get("format") if isinstance(data, dict) else None
    return fmt if isinstance(fmt, str) and fmt in CHECKER_FILES else POINT


@settings(max_examples=400, deadline=None)
@given(members=st.dictionaries(_TRICKY, _JSON, max_size=5), fmt=st.sampled_from([None, FAMILY, POINT, "other"]),
       first=st.booleans(), indent=st.sampled_from([None, 1]))
def test_scan_agrees_with_json(members, fmt, first, indent):
    members.pop("format", None)
    doc = dict(members)
    if fmt is not None:
        doc = ({"format": fmt} | members) if first else (members | {"format": fmt})
    text = json.dumps(doc, indent=indent)
    assert certificate_format_of_bytes(text.encode()) == _expected(text)


@settings(max_examples=200, deadline=None)
@given(value=_JSON)
def test_scan_of_any_json_value(value):
    text = json.dumps(value)
    assert certificate_format_of_bytes(text.encode()) == _expected(text)


def test_nested_format_is_not_the_certificate_format():
    text = '{"claims": [{"format": "%s"}], "format": "%s"}' % (FAMILY, POINT)
    assert certificate_format_of_bytes(text.encode()) == POINT
    assert certificate_format_of_bytes(('[{"format": "%s"}]' % FAMILY).encode()) == POINT


def test_file_beyond_the_cap_is_not_read(tmp_path):
    # a sparse file larger than every checker's MAX_FILE_BYTES: sent to the point checker by its size alone
    path = tmp_path / "big.json"
    with open(path, "wb") as fh:
        fh.write(('{"format": "%s", "pad": "' % FAMILY).encode())
        fh.seek(65 * 1024 * 1024)
        fh.write(b'"}')
    assert certificate_format(path) == POINT
    assert certificate_format(tmp_path / "missing.json") == POINT
