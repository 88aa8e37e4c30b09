"""Portal Participa: the participation and civil-society portal of SERMIG."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
