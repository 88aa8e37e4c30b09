"""Make the repository root (for `elections`) and this folder (for `elections_testdata`) importable,
whatever pytest's import mode and whether or not the project is installed."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for folder in (HERE.parents[1], HERE):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
