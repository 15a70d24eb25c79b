"""`python -m pilot_audit …` (see `pilot_audit.cli`)."""

from __future__ import annotations

import sys

from pilot_audit.cli import run


def main() -> None:
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
