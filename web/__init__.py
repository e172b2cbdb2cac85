"""Templates, static files and translations: package data, so that `pip install .` serves them."""

from pathlib import Path

ROOT = Path(__file__).parent
