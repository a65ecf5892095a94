"""Permission predicates for privacy, registered in the one permission layer (accounts.permissions) by
PrivacyConfig.ready(). The rule names keep their `accounts.` prefix from before privacy moved out of accounts
(issue 16), so the views, services and tests that ask for them are unchanged."""

from accounts.permissions import rule


@rule("accounts.export_personal_data")
def _export_personal_data(user, role, subject) -> bool:
    """A person may export their own data, whatever their role (or none). Superusers (the data controller's
    operators) may export anyone's; everyone else no one else's."""
    return subject is not None and subject.pk == user.pk


@rule("accounts.anonymise_user")
def _anonymise_user(user, role, subject) -> bool:
    """Only superusers (via has_permission) and the command line anonymise accounts."""
    return False
