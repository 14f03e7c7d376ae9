#!/bin/sh
# Run the Ray tests where Ray cannot reach any network: a fresh network namespace
# with only the loopback interface up (Ray binds every interface), and a private
# PID namespace so every Ray process ends with the run. Needs root (or user
# namespaces). Extra arguments go to pytest.
set -eu
cd "$(dirname "$0")/.."
exec unshare --net --pid --fork --mount-proc sh -c \
    'ip link set lo up && exec "${PYTHON:-python}" -m pytest tests/test_ray_executor.py "$@"' sh "$@"
