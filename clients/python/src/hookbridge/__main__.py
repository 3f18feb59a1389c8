"""python -m hookbridge: the hookbridge-subscribe command."""

import sys

from hookbridge._cli import main

if __name__ == "__main__":
    sys.exit(main())
