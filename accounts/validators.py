from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's own validator, with a message that is also Norwegian in Django 5.2.

    Django 5.2 changed the msgid of the "too short" message, and its Norwegian (nb)
    catalogue still has only the old one, so the error came out in English.
    """

    def get_error_message(self):
        return ngettext(
            "Passordet er for kort. Det må bestå av minst %(min_length)d tegn.",
            "Passordet er for kort. Det må bestå av minst %(min_length)d tegn.",
            self.min_length,
        ) % {"min_length": self.min_length}
