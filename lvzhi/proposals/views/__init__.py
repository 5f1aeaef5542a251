"""The proposals app\x27s views, one module per part of the cycle (see urls.py)."""
