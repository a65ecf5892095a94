"""Failed logins: hard to guess a password, impossible to lock someone else out (docs/security.md, "Innlogging").

allauth's `login_failed` limit (ACCOUNT_RATE_LIMITS, "10/m/ip,5/5m/key") is applied by accounts.adapters with the
key *address + account* instead of the account alone. So:

- per address, all accounts: 10 failed logins a minute (the "ip" part);
- per address and account: 5 failed logins in 5 minutes (the "key" part). Failures from a stranger's address never
  hold back the account's owner at their own address: a login from an address without failures always gets to the
  password check, and the right password (plus the second factor for those who have one) gets in;
- growing delays (here): each time an address trips the limit for an account again within a day, it waits twice as
  long: 5, 10, 20 … minutes, at most an hour;
- a burst against one account (ACCOUNT_BURST failures from any addresses within BURST_WINDOW): the owner gets one
  warning e-mail through the outbox (not one per attempt), and while the burst lasts an address trips for that
  account after BURST_FAILURES_PER_ADDRESS failures (then waits, growing), so many addresses get few tries each.
  An address without failures for the account is never held back, burst or not.

The counters live in the cache (Redis in production), as allauth's do; with the cache down no limit holds and
logins still work (common.cache).
"""

import hashlib
import time

from django.core.cache import cache

FIRST_DELAY = 5 * 60  # seconds an address waits the first time it trips the limit for an account
MAX_DELAY = 60 * 60
STRIKE_MEMORY = 24 * 60 * 60  # how long the number of trips of an address for an account is remembered
ACCOUNT_BURST = 5  # failures for one account, from any addresses, that make a burst (and the warning e-mail)
BURST_WINDOW = 60 * 60  # a burst lasts this long from its first failure; the next burst warns again
BURST_FAILURES_PER_ADDRESS = 2  # during a burst: failures an address may have for the account before it waits


def _key(kind: str, *parts: str) -> str:
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]
    return f"login-throttle:{kind}:{digest}"


def pair_key(ip: str, account: str) -> str:
    """The key allauth's per-key limit counts: this address and this account."""
    return f"{ip}|{account}"


def held_back(ip: str, account: str, *, now: float | None = None) -> bool:
    """Must a login for `account` from `ip` wait (its growing delay)? Checked before the password; only this
    address's own failures for the account ever hold it back."""
    pair = cache.get(_key("pair", ip, account)) or {}
    return pair.get("until", 0) > (now or time.time())


def tripped(ip: str, account: str, *, now: float | None = None) -> int:
    """The address tripped a limit for the account: hold it back, twice as long as the last time (its failures
    start counting afresh). Returns the delay in seconds."""
    now = now or time.time()
    key = _key("pair", ip, account)
    pair = cache.get(key) or {}
    strikes = pair.get("strikes", 0) + 1
    delay = min(FIRST_DELAY * 2 ** (strikes - 1), MAX_DELAY)
    cache.set(key, {"strikes": strikes, "until": now + delay, "fails": 0}, STRIKE_MEMORY)
    return delay


def failed(ip: str, account: str, *, now: float | None = None) -> bool:
    """Count a wrong password. During a burst against the account an address trips after
    BURST_FAILURES_PER_ADDRESS failures (instead of allauth's 5). True once per burst: when this failure makes the
    burst (the caller warns the owner)."""
    now = now or time.time()
    key = _key("account", account)
    burst = cache.get(key)
    if not burst or now >= burst["start"] + BURST_WINDOW:
        # A burst ends by the clock, not only by the cache entry's expiry (Redis expires by its own clock).
        burst = {"fails": 0, "start": now, "warned": False}
    burst["fails"] += 1
    warn = burst["fails"] >= ACCOUNT_BURST and not burst["warned"]
    burst["warned"] = burst["warned"] or warn
    cache.set(key, burst, max(int(burst["start"] + BURST_WINDOW - now), 1))

    key = _key("pair", ip, account)
    pair = cache.get(key) or {}
    pair["fails"] = pair.get("fails", 0) + 1
    cache.set(key, pair, STRIKE_MEMORY)
    if burst["fails"] >= ACCOUNT_BURST and pair["fails"] >= BURST_FAILURES_PER_ADDRESS:
        tripped(ip, account, now=now)
    return warn


def succeeded(ip: str, account: str) -> None:
    """The right password from this address: its own failures for the account are forgiven (not the account's
    burst, nor other addresses' counts)."""
    cache.delete(_key("pair", ip, account))
