"""Helpers for the scoping tests (tests/<app>/test_scoping.py): the list selector and the permission predicate of a
model come from the same rule (accounts.scoping, <app>.scoping), so for every user and object "the object is in
the user's list" must equal "the predicate lets the user see it"."""

from accounts.models import User
from accounts.permissions import has_permission
from tests import factories


def visible(user, selector, objects, action=None, test=None) -> set:
    """The names of the objects (a {name: object} dict) the user sees, after checking that the list selector and
    the predicate (a permission `action`, or a `test(user, obj)`) agree on each of them."""
    listed = set(selector(user).values_list("pk", flat=True))
    seen = set()
    for name, obj in objects.items():
        allowed = has_permission(user, action, obj) if action else test(user, obj)
        assert (obj.pk in listed) == allowed, f"{name}: in the list {obj.pk in listed}, predicate {allowed}"
        if allowed:
            seen.add(name)
    return seen


def superuser() -> User:
    return User.objects.create_superuser(email="root@example.no", password="Testpassord-123")


def nobody() -> User:
    """A logged-in user without an active role."""
    return factories.UserFactory()
