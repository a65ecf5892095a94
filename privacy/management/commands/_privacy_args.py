"""Shared arguments of the privacy commands: which user (by e-mail or id)."""

from django.core.management.base import CommandError

from accounts.models import User


def add_user_arguments(parser) -> None:
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument(
        "--email", metavar="E-POST", help="Brukerens e-postadresse (innlogging eller annen bekreftet adresse)."
    )
    who.add_argument("--id", type=int, metavar="ID", help="Brukerens id (står i revisjonssporet og i utskriften).")


def find_user(email: str | None, user_id: int | None) -> User:
    if user_id is not None:
        user = User.objects.filter(pk=user_id).first()
        if user is None:
            raise CommandError(f"Fant ingen bruker med id {user_id}.", returncode=2)
        return user
    email = (email or "").strip()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        from allauth.account.models import EmailAddress

        # Only a verified address: anyone can add any address unverified, so it says nothing about whose it is.
        address = EmailAddress.objects.filter(email__iexact=email, verified=True).select_related("user").first()
        user = address.user if address else None
    if user is None:
        raise CommandError(f"Fant ingen bruker med e-postadressen {email}.", returncode=2)
    return user
