"""Every citation in the package points to something a reader can open.

Code, comments, docstrings and messages may cite papers (authors, year, theorem number) and files of this
repository, notably docs/maths/*.md with a section number. They must not cite documents that ship with no
release: the developers' maths notes ("achour.md §3", "yun.md", "gradient_flow.md"), "the brief", tracker
issues ("issue 6") or "the lead's module". Expected facts here are the file system's: a cited docs/maths file
exists and has a heading with the cited section number.
"""

from __future__ import annotations

import re
from pathlib import Path
from tests.support import ROOT as _ROOT


ROOT = _ROOT
MATHS = ROOT / "docs" / "maths"
SCANNED = ("exactdln", "proofs")
TEXT_SUFFIXES = {".py", ".md", ".json", ".txt", ".toml", ".cfg"}

# Developers' notes that are not part of the repository, by file name (a bare name, or one not under docs/maths/).
UNOPENABLE_NOTES = ("achour", "yun", "regularized", "gradient_flow", "algebraic", "ecosystem", "certify", "common")

FORBIDDEN = [
    ("developers' note", re.compile(r"(?<![\w/.-])(?<!docs/maths/)(?:%s)\.md\b" % "|".join(UNOPENABLE_NOTES))),
    ("the brief", re.compile(r"\bbriefs?\b|\bbriefs?'s?", re.IGNORECASE)),
    ("tracker issue", re.compile(r"\bissues?\s+#?\d+", re.IGNORECASE)),
    ("the lead's module", re.compile(r"\blead's", re.IGNORECASE)),
    # we could not read the paper's section numbers; sections belong to docs/maths
    ("paper section number", re.compile(r"Achour(?: et al\.|, Malgouyres)?[^§\n]{0,40}§")),
]
MD_SECTION = re.compile(r"(?<![\w/.-])([\w./-]+\.md)\s*§")
MATHS_CITATION = re.compile(r"docs/maths/([\w-]+\.md)((?:[\s#,;–-]*(?:and\s+|or\s+)?§\d+(?:\.\d+)*(?:\s*\([a-z]\))?)*)")
SECTION_NUMBER = re.compile(r"§(\d+(?:\.\d+)*)")
HEADING_NUMBER = re.compile(r"^#{1,6}\s+(\d+(?:\.\d+)*)[.\s]", re.MULTILINE)


def _files(*tops: str) -> list[Path]:
    out = []
    for top in tops:
        base = ROOT / top
        paths = [base] if base.is_file() else sorted(base.rglob("*"))
        out += [p for p in paths if p.is_file() and p.suffix in TEXT_SUFFIXES and "egg-info" not in p.parts
                and "_build" not in p.parts]      # docs/_build: Sphinx's output, copies of the pages
    return out


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _exists(cited: str, citing: Path) -> bool:
    return (ROOT / cited).is_file() or (citing.parent / cited).is_file()


def _offences(paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), 1):
            for label, pattern in FORBIDDEN:
                if pattern.search(line):
                    found.append(f"{_relative(path)}:{number}: {label}: {line.strip()}")
            for match in MD_SECTION.finditer(line):
                if not _exists(match.group(1), path):
                    found.append(f"{_relative(path)}:{number}: section of a missing file: {line.strip()}")
    return found


def _scanned() -> list[Path]:
    return [p for p in _files(*SCANNED) if p.name != Path(__file__).name]


def test_no_unopenable_citations():
    """exactdln/ and proofs/ cite only what a reader can open."""
    offences = _offences(_scanned())
    assert not offences, "citations of documents a reader cannot open:\n" + "\n".join(offences)


def test_no_unopenable_citations_in_docs_bench_tests():
    """The same rule for the documentation, benchmarks and tests."""
    paths = [p for p in _files("docs", "bench", "tests", "README.md") if p.name != Path(__file__).name]
    paths = [p for p in paths if MATHS not in p.parents]
    offences = _offences(paths)
    assert not offences, "citations of documents a reader cannot open:\n" + "\n".join(offences)


def _headings(name: str) -> set[str]:
    return set(HEADING_NUMBER.findall((MATHS / name).read_text(encoding="utf-8")))


def _maths_citations(paths: list[Path]):
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for match in MATHS_CITATION.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            yield path, line, match.group(1), SECTION_NUMBER.findall(match.group(2))


def test_cited_maths_sections_exist():
    """Every docs/maths/<file>.md cited in code exists and has a heading for every section number cited with it."""
    paths = _scanned() + _files("docs", "bench", "tests", "README.md")
    citations = list(_maths_citations(paths))
    assert citations, "no docs/maths citation found: the pattern is broken"
    missing = []
    for path, line, name, sections in citations:
        where = f"{_relative(path)}:{line}: docs/maths/{name}"
        if not (MATHS / name).is_file():
            missing.append(f"{where}: no such file")
            continue
        headings = _headings(name)
        missing += [f"{where} §{s}: no heading numbered {s}" for s in sections if s not in headings]
    assert not missing, "\n".join(missing)


def test_maths_pages_link_to_existing_pages():
    """Relative links between the docs/maths pages resolve."""
    broken = []
    for page in sorted(MATHS.glob("*.md")):
        for target in re.findall(r"\]\(([^)#]+\.md)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if not (page.parent / target).is_file():
                broken.append(f"{page.name} -> {target}")
    assert not broken, broken


def test_patterns_catch_what_they_should():
    """The rules themselves, on hand-written lines."""
    bad = ["see achour.md §3", "(yun.md T8)", "regularized.md §2", "the brief's value", "common brief",
           "(issue 6)", "the lead's module", "Achour et al. (JMLR 2024) §2 Prop. 1", "gradient_flow.md §1.2"]
    good = ["docs/maths/regularized.md §2", "docs/maths/gradient_flow.md §1.2", "Yun et al. 2018, Thm 2.1",
            "exactdln/trusted/FORMAT.md", "Achour et al. (JMLR 2024), first-order characterization",
            "no issue with that"]
    hit = lambda s: any(p.search(s) for _, p in FORBIDDEN)   # noqa: E731
    assert all(hit(s) for s in bad), [s for s in bad if not hit(s)]
    assert not any(hit(s) for s in good), [s for s in good if hit(s)]
    found = list(MATHS_CITATION.finditer("(docs/maths/classification.md §3.3 (c), §6.2; docs/maths/README.md §2)"))
    assert [(m.group(1), SECTION_NUMBER.findall(m.group(2))) for m in found] == [
        ("classification.md", ["3.3", "6.2"]), ("README.md", ["2"])]
