"""Demo development projects: the projects funded in demo.grants get a planned period, a description and themes,
a project leader and contact persons, partners with described roles, a phase history and outputs (some with a
PDF, some with a link, some in use in other services). In Vestland «Trygg oppfølging av fosterhjem» is finished
(fase avsluttet, planned end in the past) with several outputs, and it and a handful of projects in other
embeter are listed in the national knowledge bank.

Everything goes through projects.services.projects, so history and the audit trail are real. Deterministic and
safe to run twice: each step looks first and only adds what is missing."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, RoleAssignment, User
from grants.models import Award, AwardSource
from networks.models import Theme
from organisations.models import Partner, PartnerType
from projects.models import Phase, ProjectContact, ProjectPartner
from projects.services import projects as services

from .seed import DEMO_DOMAIN

LINKS = f"https://ressurser.{DEMO_DOMAIN}"
FINISHED = ("vestland", "Trygg oppfølging av fosterhjem")
# Listed in the knowledge bank besides the finished project: (embete slug, project name).
LISTED = {
    ("vestland", "Medvirkning i praksis"),
    ("agder", "Trygg oppfølging av fosterhjem"),
    ("agder", "Fosterhjem i fellesskap"),
    ("trondelag", "Trygg oppfølging av fosterhjem"),
    ("trondelag", "Medvirkning i praksis"),
    ("nordland", "Trygg oppfølging av fosterhjem"),
    ("innlandet", "Medvirkning i praksis"),
    ("rogaland", "Fosterhjem i fellesskap"),
    ("ostfold-buskerud-oslo-akershus", "Trygg oppfølging av fosterhjem"),
}

# Per demo project (by name): planned end (years after the first grant, month, day), orientation, themes,
# description, phase changes (years after the first grant, month, day, phase), and outputs.
PLANS = {
    "Trygg oppfølging av fosterhjem": {
        "slutt": (2, 12, 31),
        "orientering": "begge",
        "temaer": ["Oppfølging av fosterhjem", "Opplæring og kompetanseutvikling"],
        "beskrivelse": (
            "Tjenestene i nettverket lager en felles måte å følge opp nye fosterhjem det første året på: faste "
            "hjemmebesøk, en sjekkliste for samtalene og et opplæringsprogram for fosterforeldre. Prosjektet startet "
            "med kompetanseheving i tjenestene, prøvde ut rutinen i to tjenester og tar den nå i bruk i hele "
            "nettverket."
        ),
        "faser": [
            (0, 9, 1, Phase.MODELLUTVIKLING),
            (1, 3, 1, Phase.PILOT),
            (1, 9, 1, Phase.IMPLEMENTERING),
            (2, 4, 1, Phase.SPREDNING),
        ],
        "resultater": [
            {
                "type": "rutine",
                "tittel": "Rutine for oppfølging av nye fosterhjem",
                "beskrivelse": "Hvem gjør hva de første tolv månedene: besøk, samtaler med barnet og fosterforeldrene, "
                "og når veiledningen trappes ned.",
                "fil": True,
                "i_bruk": "Tatt i bruk av to tjenester utenfor nettverket etter en samling i regi av statsforvalteren.",
            },
            {
                "type": "opplaering",
                "tittel": "Opplæringsprogram for fosterforeldre det første året",
                "beskrivelse": "Fire kveldsmøter med tema tilknytning, samarbeid med biologisk familie, skole og "
                "egen belastning. Opplegg for kursholdere og presentasjoner.",
                "lenke": f"{LINKS}/opplaering-fosterforeldre",
            },
            {
                "type": "mal",
                "tittel": "Sjekkliste for hjemmebesøk i fosterhjem",
                "beskrivelse": "En side med temaene som skal være dekket i hvert besøk, med rom for notater som "
                "føres i fagsystemet etterpå.",
                "fil": True,
            },
        ],
    },
    "Medvirkning i praksis": {
        "slutt": (2, 6, 30),
        "orientering": "tiltaksutvikling",
        "temaer": ["Medvirkning"],
        "beskrivelse": (
            "Prosjektet utvikler en modell for hvordan barn og unge kan medvirke i egne saker: forberedelse av "
            "samtaler, tilbakemelding til barnet og hvordan barnets mening dokumenteres i vedtak."
        ),
        "faser": [(0, 6, 1, Phase.MODELLUTVIKLING), (1, 2, 1, Phase.PILOT)],
        "resultater": [
            {
                "type": "modell",
                "tittel": "Modell for barns medvirkning i samtaler",
                "beskrivelse": "Tre steg: forberede barnet, gjennomføre samtalen på barnets premisser og gi "
                "tilbakemelding om hva barnets mening betydde for avgjørelsen.",
                "lenke": f"{LINKS}/medvirkning-modell",
                "i_bruk": "Brukes også i skolehelsetjenesten i én av kommunene.",
            },
        ],
    },
    "Fosterhjem i fellesskap": {
        "slutt": (2, 12, 31),
        "orientering": "kompetanseutvikling",
        "temaer": ["Oppfølging av fosterhjem"],
        "beskrivelse": (
            "Felles veiledning av fosterhjem på tvers av kommunene i nettverket, med grupper for fosterforeldre "
            "og en felles plan for veiledningen."
        ),
        "faser": [(0, 9, 1, Phase.MODELLUTVIKLING)],
        "resultater": [
            {
                "type": "mal",
                "tittel": "Felles veiledningsplan for fosterhjem",
                "beskrivelse": "Mal for en veiledningsplan som fosterhjemmet og tjenesten lager sammen.",
                "fil": True,
            },
        ],
    },
    "Foreldreveiledning med Circle of Security": {
        "slutt": (1, 12, 31),
        "orientering": "kompetanseutvikling",
        "temaer": ["Foreldreveiledning"],
        "beskrivelse": (
            "Ansatte i tjenestene sertifiseres i Circle of Security Parenting, og tjenestene tilbyr felles "
            "foreldregrupper."
        ),
        "faser": [],
        "resultater": [],
    },
}
FINISHED_EXTRA = [
    {
        "type": "ressurs",
        "tittel": "Erfaringsnotat: dette lærte vi",
        "beskrivelse": "Hva som virket, hva som ikke virket, og råd til nettverk som vil gjøre det samme.",
        "fil": True,
    },
    {
        "type": "ressurs",
        "tittel": "Film: Slik følger vi opp fosterhjem",
        "beskrivelse": "Kort film der fosterforeldre og veiledere forteller om det første året.",
        "lenke": f"{LINKS}/film-oppfolging-fosterhjem",
        "i_bruk": "Vises på kurs for nye fosterforeldre i Bufetat region vest.",
    },
]


def demo_pdf(title: str, text: str) -> bytes:
    """A small one-page PDF with the output's title and description."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=title, author="Læringsnett (demo)", invariant=True)
    doc.build(
        [
            Paragraph(title, styles["Title"]),
            Spacer(1, 12),
            Paragraph(text, styles["BodyText"]),
            Spacer(1, 12),
            Paragraph("Demodokument – fiktivt innhold.", styles["Italic"]),
        ]
    )
    return buffer.getvalue()


def _filename(title: str) -> str:
    table = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "Ae", "Ø": "O", "Å": "A", ":": "", ",": ""})
    return "-".join(title.translate(table).lower().split())[:80] + ".pdf"


def _day(first_year: int, years: int, month: int, day: int) -> datetime.date:
    return datetime.date(first_year + years, month, day)


def _themes(names: list[str]) -> list[Theme]:
    return [Theme.objects.get_or_create(navn=n)[0] for n in names]


def _rkbu(embete_slug: str) -> Partner | None:
    if embete_slug == "vestland":
        vest = Partner.objects.filter(navn__startswith="RKBU Vest").first()
        if vest:
            return vest
    return Partner.objects.filter(type=PartnerType.RKBU).order_by("id").first()


def _bufetat() -> Partner | None:
    return Partner.objects.filter(type=PartnerType.BUFETAT).order_by("id").first()


def _colleagues(service_ids: set[int]) -> list[User]:
    roles = RoleAssignment.objects.active().filter(tjeneste_id__in=service_ids, rolle=Role.TJENESTE_MEDARBEIDER)
    return list(User.objects.filter(roller__in=roles).distinct().order_by("id"))


def _outputs(author, project, outputs: list[dict]) -> None:
    existing = {t.casefold() for t in project.resultater.values_list("tittel", flat=True)}
    for spec in outputs:
        if spec["tittel"].casefold() in existing:
            continue
        fil = None
        if spec.get("fil"):
            fil = SimpleUploadedFile(
                _filename(spec["tittel"]), demo_pdf(spec["tittel"], spec["beskrivelse"]), "application/pdf"
            )
        services.add_output(
            author,
            project,
            fil=fil,
            type=spec["type"],
            tittel=spec["tittel"],
            beskrivelse=spec["beskrivelse"],
            lenke=spec.get("lenke", ""),
            i_bruk_andre=bool(spec.get("i_bruk")),
            i_bruk_beskrivelse=spec.get("i_bruk", ""),
        )


@transaction.atomic
def _seed_project(award: Award, today: datetime.date) -> None:
    project = award.prosjekt
    plan = PLANS.get(project.navn)
    if plan is None:
        return
    embete = project.network.embete
    sf = User.objects.get(email=f"sf.{embete.slug}@{DEMO_DOMAIN}")
    applicant = award.vedtak.soknad.opprettet_av
    first_year = project.tildelinger.order_by("aar").values_list("aar", flat=True).first() or award.aar
    finished = (embete.slug, project.navn) == FINISHED
    start = datetime.date(first_year, 1, 1)
    end = datetime.date(first_year + 1, 12, 31) if finished else _day(first_year, *plan["slutt"])
    fields = {
        "planlagt_start": project.planlagt_start or start,
        "planlagt_slutt": project.planlagt_slutt or end,
        "orientering": plan["orientering"],
        "beskrivelse": project.beskrivelse or plan["beskrivelse"],
    }
    if any(getattr(project, k) != v for k, v in fields.items()) or not project.temaer.exists():
        services.update_project(sf, project, themes=_themes(plan["temaer"]), **fields)
        project.refresh_from_db()

    # People: the applicant leads the project; the applicant and a colleague are contact persons.
    from projects.permissions.projects import current_service_ids

    service_ids = current_service_ids(project)
    if project.prosjektleder_id is None and applicant is not None:
        services.set_project_leader(sf, project, applicant)
    contacts = [(applicant, "Prosjektleder")] + [(u, "Koordinator") for u in _colleagues(service_ids)[:1]]
    for user, rolle in contacts:
        if user is not None and not ProjectContact.objects.filter(prosjekt=project, user=user).exists():
            services.add_contact(sf, project, user, rolle)

    # Partners with their roles.
    partners = [(_rkbu(embete.slug), "Veileder for prosjektgruppen og følgeevaluering av utprøvingen.")]
    if project.kategori == "fosterhjem":
        partners.append(
            (_bufetat(), "Deltar på samlingene og bidrar med kunnskap om rekruttering og oppfølging av fosterhjem.")
        )
    for partner, rolle in partners:
        if partner is not None and not ProjectPartner.objects.filter(prosjekt=project, partner=partner).exists():
            services.add_partner(sf, project, partner, rolle, start)

    # Phase history, up to today.
    if not project.fasehistorikk.exists():
        changes = [(_day(first_year, y, m, d), fase) for y, m, d, fase in plan["faser"]]
        if finished:
            changes = [c for c in changes if c[0] < end] + [(end, Phase.AVSLUTTET)]
        for day, fase in changes:
            if day <= today and day >= project.planlagt_start:
                services.change_phase(applicant if applicant else sf, project, fase, day)
                project.refresh_from_db()

    # Outputs, added by the project leader.
    author = project.prosjektleder or sf
    _outputs(author, project, plan["resultater"] + (FINISHED_EXTRA if finished else []))

    if finished or (embete.slug, project.navn) in LISTED:
        services.set_listing(sf, project, True)


def seed_projects() -> None:
    today = timezone.localdate()
    awards = (
        Award.objects.filter(kilde=AwardSource.VEDTAK, prosjekt__isnull=False)
        .select_related("prosjekt__network__embete", "vedtak__soknad__opprettet_av")
        .order_by("prosjekt_id", "aar", "id")
    )
    seen: set[int] = set()
    for award in awards:
        if award.prosjekt_id in seen:
            continue
        seen.add(award.prosjekt_id)
        _seed_project(award, today)
