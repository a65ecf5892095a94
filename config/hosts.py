"""Which Host headers the embedded (non-production) server answers, given the address `make run` listens on.

`make run HOST=0.0.0.0` sets LAERINGSNETT_RUN_HOST so a colleague on the same network can open the demo with the
machine's name or address. The list is built from this machine's own names and addresses, not '*': embedded mode
may send real e-mail (EMAIL_HOST), and allauth builds password-reset links from the request's Host header, so a
wildcard would let anyone on the network have a reset link point at a host of their choosing. Production never
reads this (ALLOWED_HOSTS is required there).
"""

import ipaddress
import socket

# The listen addresses meaning "every interface": translated into this machine's names, never allowed as such.
WILDCARD_ADDRESSES = {"0.0.0.0", "::", "[::]"}  # noqa: S104 - translated, not bound  # nosec B104
# Documentation addresses (RFC 5737, RFC 3849): "connecting" a UDP socket to them sends nothing, but tells which
# local address the machine would use to reach the network.
PROBES = ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1"))


def as_host(address: str) -> str:
    """The form ALLOWED_HOSTS expects: IPv6 addresses in brackets, like the Host header carries them."""
    address = address.split("%", 1)[0]  # scope id of a link-local address
    try:
        return f"[{address}]" if ipaddress.ip_address(address).version == 6 else address
    except ValueError:
        return address.lower()


def machine_hosts() -> list[str]:
    """This machine's host names and the addresses others reach it by."""
    names = {socket.gethostname(), socket.getfqdn()}
    addresses: set[str] = set()
    for name in list(names):
        try:
            addresses.update(info[4][0] for info in socket.getaddrinfo(name, None))
        except OSError:
            pass
    for family, probe in PROBES:
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as sock:
                sock.connect((probe, 9))
                addresses.add(sock.getsockname()[0])
        except OSError:
            pass  # no route (e.g. no IPv6)
    return sorted({as_host(h) for h in names | addresses if h})


def run_hosts(run_host: str) -> list[str]:
    """Hosts to allow for the address runserver listens on: that address, or the whole machine for 0.0.0.0/::."""
    run_host = run_host.strip()
    if not run_host:
        return []
    if run_host in WILDCARD_ADDRESSES:
        return machine_hosts()
    return [as_host(run_host.strip("[]"))]
