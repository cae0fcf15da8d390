import sys

from routing.app import create_app
from routing.settings import RoutingSettings
from servicekit.serve import serve


def main() -> int:
    return serve("routing", "ROUTING_", RoutingSettings, create_app)


if __name__ == "__main__":
    sys.exit(main())
