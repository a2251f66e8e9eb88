import sys
from pathlib import Path

# tests/notebooks.py is shared by several test modules.
sys.path.insert(0, str(Path(__file__).resolve().parent))
