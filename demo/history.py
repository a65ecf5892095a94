"""Demo data for this area; called from demo.seed.seed_demo (safe to run twice).

Imports the 2021–2023 allocation history (demo/data/tildelinger-2021-2023.csv, made by tests/data/make_history.py)
through the same import as `manage.py import_allocations`, so a fresh demo's national summary shows the published
figures for those years. The import is idempotent: a second run finds every row unchanged."""

from pathlib import Path

from reporting.services.allocations import import_allocations

HISTORY_FILE = Path(__file__).resolve().parent / "data" / "tildelinger-2021-2023.csv"


def seed_history() -> None:
    report = import_allocations(None, HISTORY_FILE.read_bytes(), HISTORY_FILE.name)
    if not report.ok:
        problems = "; ".join(f"linje {line}: {message}" for line, message in report.errors[:10])
        raise RuntimeError(f"Historikken for 2021–2023 kunne ikke importeres: {problems}")
    _end_imported_networks()


def _end_imported_networks() -> None:
    """Networks that only the import created (money 2021–2023, no members in Læringsnett) are shown as ended at
    the end of 2023, so the demo's active networks all follow the two-service rule and later demo rounds never
    pick them."""
    import datetime

    from django.db.models import Count, Q

    from networks.models import LearningNetwork, MembershipStatus, NetworkStatus, NetworkStatusChange

    ended = datetime.date(2023, 12, 31)
    lonely = LearningNetwork.objects.annotate(
        n=Count("medlemskap", filter=Q(medlemskap__status=MembershipStatus.AKTIV))
    ).filter(n=0, status=NetworkStatus.AKTIV, tildelinger__kilde="import")
    for network in lonely.distinct().order_by("pk"):
        network.status, network.status_fra = NetworkStatus.AVSLUTTET, ended
        network.save(update_fields=["status", "status_fra", "endret"])
        NetworkStatusChange.objects.get_or_create(network=network, status=NetworkStatus.AVSLUTTET, fra_dato=ended)
