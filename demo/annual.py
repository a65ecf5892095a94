"""Demo data for the annual report (årsrapport); called from demo.seed.seed_demo (safe to run twice).

Vestland has submitted its 2025 report to Bufdir; Agder is still drafting its 2025 report, with a comment from a
colleague. Everything goes through reporting.services.annual, so the figures are compiled from the demo data and
the submitted version is frozen like a real one."""

from django.db import transaction

from accounts.models import User
from organisations.models import Embete
from reporting.models import AnnualReport
from reporting.services import annual as services

from .seed import DEMO_DOMAIN

YEAR = 2025
SUBMITTED = {
    "vurdering": (
        "Læringsnettverkene i Vestland har hatt et godt år. Fosterhjemsprosjektet i nettverket har gitt felles "
        "veiledning på tvers av kommunene, og tjenestene melder at samarbeidet har blitt tettere."
    ),
    "utfordringer": (
        "Det kom få søknader om egeninitierte prosjekter, og ett prosjekt fikk bare delvis tilskudd. Små "
        "tjenester har lite tid til å skrive søknader og rapporter."
    ),
    "planer": (
        "Vi lyser ut midlene tidligere i 2026, holder et søknadsverksted for nettverkene og følger opp at "
        "resultatene blir delt i kunnskapsbanken."
    ),
    "kommentarer": "Tallene for 2025 er hentet fra Læringsnett og stemmer med regnskapet vårt.",
}
DRAFT = {
    "vurdering": "Nettverkene i Agder er godt i gang. Vi skriver ferdig vurderingen etter nettverkssamlingen.",
    "utfordringer": "",
    "planer": "",
    "kommentarer": "",
}


def _sf(slug: str) -> User | None:
    return User.objects.filter(email=f"sf.{slug}@{DEMO_DOMAIN}").first()


def _report(slug: str, texts: dict) -> AnnualReport | None:
    embete = Embete.objects.filter(slug=slug).first()
    sf = _sf(slug)
    if embete is None or sf is None:
        return None
    report = AnnualReport.objects.filter(embete=embete, aar=YEAR).first()
    if report is not None:
        return report  # already seeded: leave it (and any later work on it) as it is
    report = services.create_report(sf, embete, YEAR)
    return services.save_narratives(sf, report, **texts)


@transaction.atomic
def seed_annual() -> None:
    submitted = _report("vestland", SUBMITTED)
    if submitted is not None and submitted.versjon == 0:
        services.submit(_sf("vestland"), submitted)
    draft = _report("agder", DRAFT)
    if draft is not None and not draft.logg.exists():
        services.comment(_sf("agder"), draft, "Husk å beskrive utfordringene med rekruttering av fosterhjem.")
