"""`python -m notify`: serve the notify API and consumers with settings from the environment."""

import sys

from notify.app import create_app
from notify.settings import NotifySettings
from servicekit.serve import serve


def main() -> int:
    # serve() types create_app as taking the base settings class, not a subclass of it.
    return serve("notify", "NOTIFY_", NotifySettings, create_app)


if __name__ == "__main__":
    sys.exit(main())
