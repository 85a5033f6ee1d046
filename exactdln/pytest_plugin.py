"""pytest plugin for exactdln (registered through the ``pytest11`` entry point)."""
