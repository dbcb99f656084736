"""`python -m kiosk`: the kiosk app (`pexip-kiosk run`), or any `pexip-kiosk` command.

`python -m kiosk [--env-file FILE]` runs the app; `python -m kiosk call ...`,
`python -m kiosk --version` and the other commands work as with `pexip-kiosk`.
"""

import sys

from kiosk.cli import main, module_argv

if __name__ == "__main__":
    sys.exit(main(module_argv(sys.argv[1:])))
