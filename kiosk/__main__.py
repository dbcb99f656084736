"""`python -m kiosk` runs the kiosk app, like `pexip-kiosk run`."""

import sys

from kiosk.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", *sys.argv[1:]]))
