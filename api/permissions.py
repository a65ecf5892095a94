"""Permission predicates for the API, registered in the one permission layer.

API keys and the API itself are for Bufdir (every embete) and statsforvalter staff (their own embete).
Service users and partners have no API access."""

from accounts.permissions import rule
from accounts.scoping import is_staff as _staff


@rule("api.manage_tokens")
def _manage_tokens(user, role, _obj) -> bool:
    return _staff(role)


@rule("api.revoke_token")
def _revoke_token(user, role, token) -> bool:
    # Only the owner; a key is revoked even after the role it acted with has ended.
    return token is not None and token.user_id == user.pk


@rule("api.read")
def _read(user, role, _obj) -> bool:
    return _staff(role)
