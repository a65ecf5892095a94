"""Decision letters (grants.letters): a PDF tilskuddsbrev / avslag in bokmål or nynorsk."""

import datetime
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from audit import immutability
from grants import letters
from grants.models import Application, ApplicationRound, ApplicationStatus, Decision, Frame
from grants.services import scheme
from networks.models import GuidelineVersion, LearningNetwork
from organisations.models import Kommune
from projects.models import Category, DevelopmentProject
from tests import factories

OBOA = "ostfold-buskerud-oslo-akershus"


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    """Whitespace (including non-breaking spaces and line breaks) collapsed to single spaces."""
    return " ".join(text.split())


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture
def make_decision(reference_data):
    counter = iter(range(1, 100))

    def make(
        *,
        aar=2023,
        utfall=ApplicationStatus.INNVILGET,
        belop=Decimal("1650000"),
        soknadsbelop=Decimal("1650000"),
        maalform="bokmal",
        vilkaar="",
        rapportfrist=datetime.date(2024, 3, 1),
        klagefrist=datetime.date(2023, 11, 23),
        kategori=Category.EGENINITIERT,
        tittel_nynorsk="",
        begrunnelse="Prosjektet er godt forankret i kommuneledelsen & har en realistisk plan.",
    ) -> Decision:
        n = next(counter)
        embete = factories.embete(OBOA)
        user = factories.UserFactory(first_name="Kari", last_name="Nordmann")
        service = factories.ServiceFactory(
            navn=f"Barneverntjenesten i Oslo {n}", vertskommune=Kommune.objects.get(nummer="0301")
        )
        network = LearningNetwork.objects.create(embete=embete, navn=f"Nettverk Oslo {n}", etablert_aar=2020)
        project = DevelopmentProject.objects.create(network=network, navn=f"Trygge fosterhjem {n}", kategori=kategori)
        rnd = ApplicationRound.objects.create(
            ordning=scheme(),
            embete=embete,
            aar=aar,
            tittel=f"Stimuleringsmidler {aar}",
            tittel_nynorsk=tittel_nynorsk,
            apner=datetime.date(aar, 1, 15),
            frist=datetime.date(aar, 3, 1),
            retningslinjer=GuidelineVersion.objects.order_by("-gyldig_fra").first(),
            kriterier="Forankring, kunnskapsgrunnlag og spredning.",
        )
        application = Application.objects.create(
            utlysning=rnd,
            prosjekt=project,
            kategori=kategori,
            referanse=f"{aar}-OBOA-{n:03d}",
            status=utfall,
            maal="Flere fosterhjem skal få tett oppfølging.",
            soknadsbelop=soknadsbelop,
            opprettet_av=user,
        )
        application.tjenester.add(service)
        frame = Frame.objects.create(
            ordning=rnd.ordning, aar=aar, embete=embete, kategori=kategori, belop=Decimal("5000000")
        )
        awarded = utfall != ApplicationStatus.AVSLATT
        return Decision.objects.create(
            soknad=application,
            ramme=frame if awarded else None,
            utfall=utfall,
            belop=belop if awarded else Decimal("0"),
            begrunnelse=begrunnelse,
            vilkaar=vilkaar,
            rapportfrist=rapportfrist if awarded else None,
            klagefrist=klagefrist,
            vedtatt_av=user,
            saksnummer=application.referanse,
            maalform=maalform,
        )

    return make


def test_award_letter_is_a_pdf_with_amount_name_and_references(make_decision):
    decision = make_decision()
    pdf = letters.render_decision_letter(decision)
    assert pdf.startswith(b"%PDF")
    raw = pdf_text(pdf)
    text = flat(raw)
    assert "1 650 000 kr" in raw  # the table uses ordinary spaces, so a plain search finds it
    assert "1 650 000 kr" in text
    assert "Tilskuddsbrev – stimuleringsmidler til kommunale læringsnettverk" in text
    assert "Statsforvalteren i Oslo og Viken" in text
    assert "Østfold, Buskerud" not in text
    assert f"Vår referanse: {decision.saksnummer}" in text
    assert "Barneverntjenesten i Oslo" in text
    assert "Org.nr." in text
    assert "Oslo - Oslove" in text
    assert decision.soknad.prosjekt.navn in text
    assert "Egeninitiert prosjekt" in text
    assert "kommuneledelsen & har" in text  # user text is escaped, not parsed as markup
    assert "1. mars 2024" in text  # report deadline
    assert "Klagerett" in text
    assert "23. november 2023" in text  # appeal deadline
    assert "forvaltningsloven § 28" in text and "forvaltningsloven § 29" in text
    assert "§ 18" in text
    assert "betales tilbake" in text
    assert "Utbetaling" in text


def test_letter_uses_the_embete_name_valid_in_the_rounds_year(make_decision):
    text = flat(pdf_text(letters.render_decision_letter(make_decision(aar=2024, klagefrist=datetime.date(2024, 5, 2)))))
    assert "Statsforvalteren i Østfold, Buskerud, Oslo og Akershus" in text
    assert "Oslo og Viken" not in text


def test_metadata_names_title_and_embete(make_decision):
    decision = make_decision()
    meta = PdfReader(io.BytesIO(letters.render_decision_letter(decision))).metadata
    assert meta.author == "Statsforvalteren i Oslo og Viken"
    assert meta.title.startswith("Tilskuddsbrev")
    assert decision.saksnummer in meta.title


def test_nynorsk_letter(make_decision):
    decision = make_decision(maalform="nynorsk", vilkaar="- Prosjektleiar skal vere tilsett innan 1. mai.")
    text = flat(pdf_text(letters.render_decision_letter(decision)))
    assert "Tilskotsbrev – stimuleringsmidlar til kommunale læringsnettverk" in text
    assert "Tilskuddsbrev" not in text
    for heading in ("Vedtak", "Grunngiving", "Vilkår", "Rapportering", "Klagerett", "Med helsing"):
        assert heading in text
    assert "Prosjektleiar skal vere tilsett innan 1. mai." in text
    assert "1 650 000 kr" in text
    assert "tre veker" in text


# Words only bokmål has: none may appear in a nynorsk letter, outside what the applicant or case officer typed.
BOKMAL_ONLY = (
    "Statsforvalteren",
    "ikke",
    "hva",
    "hvordan",
    "tilskudd",
    "Tilskudd",
    "stimuleringsmidler",
    "forvaltningsloven",
    "Egeninitiert",
    "Fosterhjemsprosjekt",
    "vennlig",
    "Begrunnelse",
)


@pytest.mark.parametrize(
    ("utfall", "kategori"),
    [
        (ApplicationStatus.INNVILGET, Category.EGENINITIERT),
        (ApplicationStatus.DELVIS_INNVILGET, Category.FOSTERHJEM),
        (ApplicationStatus.AVSLATT, Category.FOSTERHJEM),
    ],
)
def test_nynorsk_letter_has_no_bokmal_words(make_decision, utfall, kategori):
    """Sender (the embete's nynorsk name), round title, category and legal references all in nynorsk."""
    decision = make_decision(
        maalform="nynorsk",
        utfall=utfall,
        kategori=kategori,
        tittel_nynorsk="Stimuleringsmidlar 2023",
        begrunnelse="Prosjektet er godt forankra.",
    )
    text = flat(pdf_text(letters.render_decision_letter(decision)))
    assert "Statsforvaltaren i Oslo og Viken" in text
    assert "forvaltningslova" in text
    if utfall != ApplicationStatus.AVSLATT:
        assert "Stimuleringsmidlar 2023" in text
    words = set(text.replace("«", " ").replace("»", " ").replace(".", " ").replace(",", " ").split())
    assert not [w for w in BOKMAL_ONLY if w in words or f" {w} " in f" {text} "]


def test_round_title_follows_the_letters_maalform(make_decision):
    bokmal = make_decision(maalform="bokmal", tittel_nynorsk="Stimuleringsmidlar 2023")
    text = flat(pdf_text(letters.render_decision_letter(bokmal)))
    assert "Stimuleringsmidler 2023" in text
    assert "Stimuleringsmidlar" not in text


def test_bokmal_letter(make_decision):
    text = flat(pdf_text(letters.render_decision_letter(make_decision(maalform="bokmal"))))
    assert "Tilskuddsbrev" in text
    assert "Tilskotsbrev" not in text
    for heading in ("Vedtak", "Begrunnelse", "Vilkår", "Rapportering", "Klagerett", "Med vennlig hilsen"):
        assert heading in text
    assert "tre uker" in text


def test_conditions_and_report_deadline_appear(make_decision):
    decision = make_decision(
        vilkaar="Midlene skal brukes til prosjektstilling.\n\n- Styringsgruppen skal møtes to ganger.\n"
        "- Resultatene skal deles i nettverket.",
        rapportfrist=datetime.date(2024, 2, 15),
    )
    text = flat(pdf_text(letters.render_decision_letter(decision)))
    assert "Særskilte vilkår" in text
    assert "Midlene skal brukes til prosjektstilling." in text
    assert "Styringsgruppen skal møtes to ganger." in text
    assert "Resultatene skal deles i nettverket." in text
    assert "15. februar 2024" in text


def test_partial_award_shows_both_amounts(make_decision):
    decision = make_decision(
        utfall=ApplicationStatus.DELVIS_INNVILGET, belop=Decimal("400000"), soknadsbelop=Decimal("1650000")
    )
    text = flat(pdf_text(letters.render_decision_letter(decision)))
    assert "innvilge søknaden delvis" in text
    assert "400 000 kr" in text
    assert "1 650 000 kr" in text


@pytest.mark.parametrize(
    ("maalform", "title", "appeal", "sender"),
    [
        (
            "bokmal",
            "Avslag på søknad om stimuleringsmidler",
            "Dere kan klage på vedtaket",
            "Statsforvalteren i Oslo og Viken",
        ),
        (
            "nynorsk",
            "Avslag på søknad om stimuleringsmidlar",
            "De kan klage på vedtaket",
            "Statsforvaltaren i Oslo og Viken",
        ),
    ],
)
def test_rejection_letter(make_decision, maalform, title, appeal, sender):
    decision = make_decision(utfall=ApplicationStatus.AVSLATT, maalform=maalform, klagefrist=datetime.date(2023, 12, 7))
    text = flat(pdf_text(letters.render_decision_letter(decision)))
    assert "Avslag" in text
    assert title in text
    assert "Tilskuddsbrev" not in text and "Tilskotsbrev" not in text
    assert "1 650 000 kr" in text  # the amount applied for
    assert appeal in text
    assert "7. desember 2023" in text
    assert "§ 28" in text and "§ 29" in text and "§ 18" in text
    assert sender in text
    assert "Rapportering" not in text and "Utbetaling" not in text


def test_letter_date_is_oslo_local_date(make_decision):
    decision = make_decision()
    # 23:30 UTC on 31 October is 00:30 on 1 November in Oslo.
    with immutability.backdating():  # decisions are immutable; only their timestamps may be moved, in tests
        Decision.objects.filter(pk=decision.pk).update(
            vedtatt=datetime.datetime(2023, 10, 31, 23, 30, tzinfo=datetime.UTC)
        )
    decision.refresh_from_db()
    text = flat(pdf_text(letters.render_decision_letter(decision)))
    assert "Vår dato: 01.11.2023" in text


def test_bokmal_and_nynorsk_templates_have_the_same_keys():
    assert letters.BOKMAL.keys() == letters.NYNORSK.keys()
    assert set(letters.TEXTS) == {"bokmal", "nynorsk"}


def test_falls_back_to_helvetica_without_dejavu(make_decision, monkeypatch):
    monkeypatch.setattr(letters, "FONT_DIR", "/nonexistent")
    letters._fonts.cache_clear()
    letters._styles.cache_clear()
    try:
        assert letters._fonts() == ("Helvetica", "Helvetica-Bold")
        text = flat(pdf_text(letters.render_decision_letter(make_decision(maalform="nynorsk"))))
        assert "Tilskotsbrev" in text
        assert "Føremål" in text and "1 650 000 kr" in text
    finally:
        letters._fonts.cache_clear()
        letters._styles.cache_clear()
