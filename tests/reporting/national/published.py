"""Award rows matching the published tables (reporting/data/publiserte-tildelinger-2021-2023.csv), written straight
into the award ledger (kilde "import", a unique import_nokkel): per embete and year one network, the published
number of projects per category and the published money spread over them. A row with money and no projects
(Nordland 2023) is money to the network without a project."""

import csv
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from grants.models import Award, AwardSource
from networks.models import LearningNetwork, NetworkStatus
from organisations.models import Embete
from projects.models import DevelopmentProject

PUBLISHED = Path(settings.BASE_DIR) / "reporting" / "data" / "publiserte-tildelinger-2021-2023.csv"


def published(year: int | None = None) -> list[dict]:
    with PUBLISHED.open(encoding="utf-8") as f:
        rows = [{k: (v if k == "embete" else int(v)) for k, v in row.items()} for row in csv.DictReader(f)]
    return [r for r in rows if year is None or r["aar"] == year]


def create_published_awards(years=(2023,)) -> list[Award]:
    embeter = {e.slug: e for e in Embete.objects.all()}
    awards = []
    for year in years:
        for row in published(year):
            embete = embeter[row["embete"]]
            network, _ = LearningNetwork.objects.get_or_create(
                embete=embete,
                navn=f"Læringsnettverk {embete.slug}",
                defaults={"etablert_aar": 2021, "status": NetworkStatus.AKTIV},
            )
            slots = [("egeninitiert", i) for i in range(row["egeninitierte_prosjekter"])] + [
                ("fosterhjem", i) for i in range(row["fosterhjemsprosjekter"])
            ]
            total = Decimal(row["tildelt_kr"])
            if not slots:
                awards.append(
                    Award.objects.create(
                        aar=year,
                        embete=embete,
                        kategori="fosterhjem",
                        nettverk=network,
                        belop=total,
                        kilde=AwardSource.IMPORT,
                        import_nokkel=f"test|{year}|{embete.slug}|uten-prosjekt",
                    )
                )
                continue
            share = (total / len(slots)).quantize(Decimal("1"))
            for n, (kategori, i) in enumerate(slots):
                amount = share if n < len(slots) - 1 else total - share * (len(slots) - 1)
                project, _ = DevelopmentProject.objects.get_or_create(
                    network=network, navn=f"{kategori.capitalize()} {year} nr. {i + 1}", defaults={"kategori": kategori}
                )
                awards.append(
                    Award.objects.create(
                        aar=year,
                        embete=embete,
                        kategori=kategori,
                        nettverk=network,
                        prosjekt=project,
                        belop=amount,
                        kilde=AwardSource.IMPORT,
                        import_nokkel=f"test|{year}|{embete.slug}|{kategori}|{i}",
                    )
                )
    return awards
