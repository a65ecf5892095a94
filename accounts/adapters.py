import contextlib

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.utils.translation import gettext_lazy as _

from . import login_throttle
from .language import in_language_of
from .models import User
from .tasks import send_account_email


def serialize_mail(message) -> dict:
    """An e-mail rendered by allauth, as JSON for the outbox (accounts.tasks.send_account_email). Only what allauth
    sets: subject, bodies, sender, recipients and headers; allauth's mails have no attachments."""
    return {
        "subject": message.subject,
        "body": message.body,
        "content_subtype": message.content_subtype,
        "alternatives": [[content, mimetype] for content, mimetype in getattr(message, "alternatives", [])],
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
    }


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created only through invitations, never by open sign-up."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # allauth's own text ("Too many failed login attempts. Try again later.") says neither why nor for how long.
        "too_many_login_attempts": _(
            "Du har prøvd for mange ganger med feil passord fra denne maskinen. Vent minst 5 minutter før du prøver "
            "igjen, eller bruk «Glemt passordet?» for å lage et nytt passord."
        ),
    }

    def is_open_for_signup(self, request):
        return False

    # --- failed logins (accounts.login_throttle, docs/security.md "Innlogging") ---------------------------------

    def pre_authenticate(self, request, **credentials):
        """allauth's login_failed limit, counted per address and per address + account (not per account alone, which
        let anyone lock anyone out), and the growing delays and burst rule of accounts.login_throttle."""
        from allauth.core.internal import ratelimit

        ip, account = ratelimit.get_ip(request), self._get_login_attempts_cache_key(request, **credentials)
        self._login_failed_rl_usage = None
        if login_throttle.held_back(ip, account):
            raise self.validation_error("too_many_login_attempts")
        self._login_failed_rl_usage = ratelimit.consume(
            request, app="allauth.account", action="login_failed", key=login_throttle.pair_key(ip, account)
        )
        if not self._login_failed_rl_usage:
            login_throttle.tripped(ip, account)
            raise self.validation_error("too_many_login_attempts")

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None:
            from allauth.core.internal.ratelimit import get_ip

            login_throttle.succeeded(get_ip(request), self._get_login_attempts_cache_key(request, **credentials))
        return user

    def _delete_login_attempts_cached_email(self, request, **credentials):
        """After a successful password reset: forgive this address's failures for the account (allauth's per-key
        count and the growing delay), as allauth does for its per-account key."""
        from allauth.core import ratelimit
        from allauth.core.internal.ratelimit import get_ip

        ip, account = get_ip(request), self._get_login_attempts_cache_key(request, **credentials)
        ratelimit.clear(request, action="login_failed", key=login_throttle.pair_key(ip, account))
        login_throttle.succeeded(ip, account)

    def authentication_failed(self, request, **credentials):
        """A wrong password: counted; the first failure of a burst against an account warns its owner once, by
        e-mail through the outbox (send_mail)."""
        from allauth.account.utils import filter_users_by_email
        from allauth.core.internal.ratelimit import get_ip

        ip = get_ip(request)
        if not login_throttle.failed(ip, self._get_login_attempts_cache_key(request, **credentials)):
            return
        login = (credentials.get("email") or credentials.get("username") or "").strip()
        users = [u for u in filter_users_by_email(login, is_active=True, prefer_verified=True) if u.email]
        if users:
            self.send_mail("account/email/login_failures", users[0].email, {"ip": ip})

    def send_mail(self, template_prefix, email, context):
        """allauth's e-mails (address verification, password reset, security notices) go through the outbox like
        every other e-mail: rendered here, in the request's language, as allauth does, and sent by a Celery task
        after commit. A mail server that is down never breaks the page; the mail goes out when it answers again.
        The rendered message holds secrets (the reset link's token, the verification key), so the task stores it
        encrypted and removes it from the outbox row once it is sent (secret_params)."""
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        ctx.setdefault("site_url", settings.SITE_URL)
        # In the addressee's remembered language (accounts.language) when they have chosen one; else the request's.
        owner = User.objects.filter(email__iexact=email).exclude(sprak="").first()
        with in_language_of(owner) if owner else contextlib.nullcontext():
            message = self.render_mail(template_prefix, email, ctx)
        send_account_email.enqueue(serialize_mail(message))


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """OpenID Connect (ID-porten/Ansattporten) may only log in people who already have an account."""

    def is_open_for_signup(self, request, sociallogin):
        return False
