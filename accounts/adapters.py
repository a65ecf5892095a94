from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created only through invitations, never by open sign-up."""

    def is_open_for_signup(self, request):
        return False

    def send_mail(self, template_prefix, email, context):
        context.setdefault("site_url", settings.SITE_URL)
        return super().send_mail(template_prefix, email, context)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """OpenID Connect (ID-porten/Ansattporten) may only log in people who already have an account."""

    def is_open_for_signup(self, request, sociallogin):
        return False
