"""Django's cache on Redis (django-redis) that keeps the site working when Redis is down.

The cache holds only what may be lost: rate-limit counters (allauth: login, password reset; DRF: API and failed
API keys), progress of background jobs and the state of an allocation import. Sessions are in the database.

With OPTIONS["IGNORE_EXCEPTIONS"] (config/settings.py) django-redis answers a failed call as an empty cache and logs
it (DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS, logger "common.cache"). This backend adds two things:

- `add()` answers True when Redis could not be asked. allauth's rate limiter takes a lock with `cache.add()` and,
  without this, waits a second for a lock it can never get and then refuses the login as rate limited. With it,
  rate limits fail open while Redis is down (logged); login still needs the password and, for staff, TOTP.
- A circuit breaker: after a connection failure or timeout, Redis is not asked again for CIRCUIT_BREAKER_SECONDS
  (OPTIONS, default 5), so a request during an outage costs no socket timeouts. One warning is logged per outage
  window instead of a traceback per call.
"""

import logging
import threading
import time
from urllib.parse import urlsplit

from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# django-redis client methods that must always run (they only drop local connections).
_UNGUARDED = frozenset({"close", "get_client", "connect", "disconnect"})


class CacheUnavailable(Exception):
    """Redis is not asked while the circuit breaker is open."""


class _Breaker:
    def __init__(self, where: str):
        self.where = where
        self.open_until = 0.0
        self._lock = threading.Lock()

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def trip(self, seconds: float, cause: BaseException | None) -> None:
        with self._lock:
            was_closed = not self.is_open()
            self.open_until = time.monotonic() + seconds
        if was_closed:
            logger.warning(
                "Redis-hurtigbufferen (%s) svarer ikke (%s). Den brukes ikke de neste %s sekundene; sidene virker, "
                "men grenser for innloggingsforsøk og API-kall håndheves ikke så lenge.",
                self.where,
                cause,
                seconds,
            )

    def reset(self) -> None:
        self.open_until = 0.0


_breakers: dict[str, _Breaker] = {}
_breakers_lock = threading.Lock()


def _breaker_for(server: str) -> _Breaker:
    parts = urlsplit(str(server).split(",")[0])
    where = f"{parts.hostname or parts.path}:{parts.port or ''}".rstrip(":")  # never the password
    with _breakers_lock:
        return _breakers.setdefault(str(server), _Breaker(where))


def reset_breakers() -> None:
    """Close every breaker (tests; or at once after Redis is back)."""
    for breaker in list(_breakers.values()):
        breaker.reset()


def _is_connection_failure(exc: ConnectionInterrupted) -> bool:
    cause = exc.__cause__
    return isinstance(cause, RedisConnectionError | RedisTimeoutError | TimeoutError | OSError | CacheUnavailable)


class _QuietWhileOpen(logging.Filter):
    """Drop django-redis' "Exception ignored" records for calls the open breaker skipped (already warned once)."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not (isinstance(exc, ConnectionInterrupted) and isinstance(exc.__cause__, CacheUnavailable))


class _GuardedClient:
    """Wraps the django-redis client: fails at once while the breaker is open; trips it on connection failures."""

    def __init__(self, client, breaker: _Breaker, seconds: float):
        self._client, self._breaker, self._seconds = client, breaker, seconds

    def __getattr__(self, name):
        attr = getattr(self._client, name)
        if name.startswith("_") or name in _UNGUARDED or not callable(attr):
            return attr

        def call(*args, **kwargs):
            if self._breaker.is_open():
                raise ConnectionInterrupted(connection=None) from CacheUnavailable(self._breaker.where)
            try:
                return attr(*args, **kwargs)
            except ConnectionInterrupted as exc:
                if _is_connection_failure(exc):
                    self._breaker.trip(self._seconds, exc.__cause__)
                raise

        return call


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        options = params.get("OPTIONS", {})
        self._breaker_seconds = float(options.get("CIRCUIT_BREAKER_SECONDS", 5))
        self._breaker = _breaker_for(server)
        if self.logger is not None and not any(isinstance(f, _QuietWhileOpen) for f in self.logger.filters):
            self.logger.addFilter(_QuietWhileOpen())

    @property
    def client(self):
        client = super().client
        if self._breaker_seconds <= 0:
            return client
        return _GuardedClient(client, self._breaker, self._breaker_seconds)

    def add(self, *args, **kwargs):
        added = super().add(*args, **kwargs)
        # None: the call failed and was ignored (Redis down). Fail open, see the module docstring.
        return True if added is None else added
