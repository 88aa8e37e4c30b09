"""Registry tests: their helpers live in registry_helpers.py, importable from here."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
