"""What the layers above projects add to a project's pages, without projects importing them.

projects sits below grants and followup (docs/architecture.md), yet the project list shows the total awarded and
the project page the grants with their reporting requirements. The apps that own those data register here in
their AppConfig.ready(); projects' selectors and views read the registry:

- grants (GrantsConfig.ready): the `tildelt_sum` annotation of the project list, the `tildelinger` prefetch of
  the project page and the knowledge bank page;
- followup (FollowupConfig.ready): the `rapportkrav` prefetch of the project page, and `grant_rows`, the rows of
  the page's grant table (each award with its application and reporting requirements).

Every hook is optional: without the app above, the page shows no grants (0 kr on the list)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Expression, Prefetch


@dataclass
class ProjectPages:
    # name -> a function returning the expression annotated on every project of the list page
    list_annotations: dict[str, Callable[[], Expression]] = field(default_factory=dict)
    # functions returning the Prefetch objects of the project page and of the knowledge bank's project page
    detail_prefetches: list[Callable[[], Prefetch]] = field(default_factory=list)
    knowledge_bank_prefetches: list[Callable[[], Prefetch]] = field(default_factory=list)
    # project (with the detail prefetches) -> the rows of the grant table: objects with .award (an award with
    # .belop), .application (or None) and .requirements
    grant_rows: Callable[[Any], list] | None = None


pages = ProjectPages()
