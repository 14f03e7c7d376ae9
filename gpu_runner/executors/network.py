"""Is this process in a loopback-only network namespace?

Ray binds every interface and runs unauthenticated by default. The tests, the
benchmark and any throwaway local cluster on a shared machine start Ray only
inside a network namespace whose one interface is ``lo`` (``unshare -n``).
"""

from __future__ import annotations

import fcntl
import socket
import struct

SIOCGIFFLAGS = 0x8913
IFF_UP = 0x1


class NetworkNotIsolated(RuntimeError):
    """Ray was asked to start outside a loopback-only network namespace."""


def network_interfaces() -> tuple[str, ...]:
    """Interfaces of this process's network namespace (not /sys: it shows the mounter's)."""
    try:
        return tuple(sorted(name for _, name in socket.if_nameindex()))
    except OSError:
        return ()


def interface_up(name: str) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            raw = fcntl.ioctl(sock.fileno(), SIOCGIFFLAGS, struct.pack("256s", name.encode()[:15]))
        except OSError:
            return False
    return bool(struct.unpack_from("H", raw, 16)[0] & IFF_UP)


def loopback_only() -> bool:
    """True when ``lo`` is the only interface and it is up."""
    return network_interfaces() == ("lo",) and interface_up("lo")


def isolation_problem() -> str | None:
    """Why this is not a loopback-only namespace, or None when it is."""
    if loopback_only():
        return None
    names = ", ".join(network_interfaces()) or "none"
    return (
        f"not in a loopback-only network namespace (interfaces: {names}); run under "
        "`unshare -n sh -c 'ip link set lo up && exec ...'`"
    )


def require_loopback_only() -> None:
    problem = isolation_problem()
    if problem:
        raise NetworkNotIsolated(problem)


__all__ = [
    "NetworkNotIsolated",
    "isolation_problem",
    "interface_up",
    "loopback_only",
    "network_interfaces",
    "require_loopback_only",
]
