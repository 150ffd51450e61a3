"""vizgrad's version: the one definition (the package metadata reads it too, see pyproject.toml)."""

VERSION = "0.1.0"
