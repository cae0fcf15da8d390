import sys

from intake.app import create_app
from intake.settings import IntakeSettings
from servicekit.serve import serve


def main() -> int:
    return serve("intake", "INTAKE_", IntakeSettings, create_app)


if __name__ == "__main__":
    sys.exit(main())
