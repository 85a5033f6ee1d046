"""Sphinx configuration of the exactdln documentation.

Build: ``pip install '.[docs]' && python -m sphinx -W -b html docs docs/_build/html``.
Pages are MyST Markdown; the API reference is generated from the docstrings of the names in
``exactdln.__all__`` and the command line reference from ``exactdln.cli.build_parser()``
(docs/_ext/exactdln_docs.py), so neither can drift from the code.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))   # the local extension; the package itself is installed

import exactdln  # noqa: E402

project = "exactdln"
author = "the exactdln authors"
copyright = "the exactdln authors"
version = release = exactdln.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "exactdln_docs",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": False}
napoleon_google_docstring = True
napoleon_numpy_docstring = False

html_theme = "alabaster"
html_title = f"exactdln {release}"
html_theme_options = {
    "description": "Exact classification and certificates for critical points of deep linear networks",
    "fixed_sidebar": True,
    "page_width": "1180px",
    "body_max_width": "none",
    "sidebar_width": "240px",
}
html_static_path: list[str] = []
html_copy_source = False   # the pages are in the repository; no _sources/ copies
