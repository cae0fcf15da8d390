#!/bin/sh
# The one install of an image's Python environment. The Dockerfile's builder stages run it,
# and tests/test_clean_install.py runs it the same way (no Docker engine needed), then
# starts what it installed, so an image cannot lack a dependency its code imports.
#
#   install-service.sh intake|routing|consultation|notify VENV   contracts, servicekit, the service
#   install-service.sh demo VENV                                  contracts, servicekit, deploy/local
#
# Run it in a copy of the build context (constraints.txt and the packages' folders below the
# current directory). It makes a fresh virtualenv at VENV (from $PYTHON, else python3) and
# installs only those packages: from the tree, not editable, no dev extras, every third-party
# version pinned by constraints.txt.
set -eu

usage="usage: install-service.sh <intake|routing|consultation|notify|demo> VENV"
if [ "$#" -ne 2 ]; then
    echo "$usage" >&2
    exit 2
fi
case "$1" in
    intake | routing | consultation | notify) package="./services/$1" ;;
    demo) package="./deploy/local" ;;
    *)
        echo "$usage (an image is built with --build-arg SERVICE=<intake|routing|consultation|notify>)" >&2
        exit 2
        ;;
esac
if [ -e "$2" ]; then
    echo "install-service.sh: $2 exists; the environment must be made from nothing" >&2
    exit 2
fi

"${PYTHON:-python3}" -m venv "$2"
"$2/bin/python" -m pip install -c constraints.txt ./services/contracts ./services/servicekit "$package"
