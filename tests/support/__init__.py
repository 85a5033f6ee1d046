"""Shared test helpers: hypothesis strategies, worked cases with their known answers, certificate builders."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
"""The repository root (tests/support/ is two levels below it)."""
