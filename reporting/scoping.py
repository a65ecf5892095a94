"""Who may see an annual report: the one scoping rule (accounts.scoping). The list selector
(reporting.selectors.annual.reports_visible_to) applies the rule's filter; the permission predicate
(reporting.permissions: reporting.view_annual) asks its test on one report.

- AnnualReport (årsrapport): superusers and Bufdir all; a statsforvalter its own embete's; others none.
"""

from accounts.scoping import EVERYTHING, Condition, Standing, field_is


def annual_reports(standing: Standing) -> Condition:
    if standing.sees_all:
        return EVERYTHING
    return field_is("embete_id", standing.embete_id, lambda report: report.embete_id)
