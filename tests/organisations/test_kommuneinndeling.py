"""A newer kommuneinndeling (merges, splits, renames like 2020 and 2024): load_reference_data reports what changed,
ends the kommuner that are gone (never deletes them) and they are no longer offered for anything new."""

import csv
import datetime
import io
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from grants.models import Award, AwardSource
from networks.models import LearningNetwork, Membership, MembershipStatus, NetworkStatus
from organisations.forms import ServiceForm
from organisations.models import ChildWelfareService, Kommune
from organisations.services import create_service, update_service
from projects.models import Category
from tests import factories
from tests.factories import valid_orgnr

MERGE_DAY = datetime.date(2027, 1, 1)
ASKVOLL, FJALER, BERGEN, NEW = "4645", "4646", "4601", "4652"


def write_classification(target: Path, *, drop=(), add=(), rename=None, extra_column=None) -> Path:
    """The project's classification with kommuner dropped, added (rows) or renamed ({nummer: navn}), written to
    target/kommuner.csv beside a copy of embeter.csv."""
    source = Path(settings.REFERENCE_DATA_DIR)
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(source / "embeter.csv", target / "embeter.csv")
    with open(source / "kommuner.csv", encoding="utf-8") as fh:
        rows = [row for row in csv.DictReader(fh) if row["kommunenummer"] not in drop]
    for row in rows:
        row["kommunenavn"] = (rename or {}).get(row["kommunenummer"], row["kommunenavn"])
    rows += [dict(zip(rows[0].keys(), values, strict=True)) for values in add]
    fieldnames = list(rows[0])
    if extra_column:
        fieldnames.append(extra_column[0])
        for row in rows:
            row[extra_column[0]] = extra_column[1]
    with open(target / "kommuner.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fieldnames)
        writer.writeheader()
        writer.writerows(rows)
    return target


def merge_classification(target: Path, **kwargs) -> Path:
    """Askvoll and Fjaler merge into Sunnfjordkysten (4652); Bergen is renamed Bjørgvin."""
    return write_classification(
        target,
        drop=(ASKVOLL, FJALER),
        add=[(NEW, "Sunnfjordkysten", "46", "Vestland", "vestland")],
        rename={BERGEN: "Bjørgvin"},
        **kwargs,
    )


def load(*args) -> str:
    out = io.StringIO()
    call_command("load_reference_data", *args, stdout=out)
    return out.getvalue()


def kommune(nummer: str) -> Kommune:
    return Kommune.objects.get(nummer=nummer)


@pytest.fixture
def askvoll_service(reference_data):
    """A service in Askvoll covering Fjaler too, member of a network and with an award: all must survive."""
    service = factories.ServiceFactory(
        navn="Barnevernet i Askvoll og Fjaler", vertskommune=kommune(ASKVOLL), kommuner=[kommune(FJALER)]
    )
    network = LearningNetwork.objects.create(
        embete=factories.embete("vestland"), navn="Sunnfjord-nettverket", etablert_aar=2024, status=NetworkStatus.AKTIV
    )
    Membership.objects.create(
        network=network, tjeneste=service, status=MembershipStatus.AKTIV, fra_dato=datetime.date(2025, 1, 1)
    )
    award = Award.objects.create(
        aar=2025,
        embete=network.embete,
        kategori=Category.values[0],
        nettverk=network,
        belop=Decimal("250000"),
        kilde=AwardSource.IMPORT,
        import_nokkel="test-askvoll-2025",
    )
    award.tjenester.add(service)
    return service


def test_merge_and_rename_are_loaded_reported_and_nothing_is_lost(askvoll_service, tmp_path):
    data_dir = merge_classification(tmp_path / "2027")

    output = load("--data-dir", str(data_dir), "--gyldig-fra", "2027-01-01")

    # both merged kommuner are ended on the classification's date, and still there
    for nummer in (ASKVOLL, FJALER):
        ended = kommune(nummer)
        assert ended.gyldig_til == MERGE_DAY
        assert not ended.is_active(MERGE_DAY) and ended.is_active(MERGE_DAY - datetime.timedelta(days=1))
    # ... with their service, membership and award
    service = ChildWelfareService.objects.get(pk=askvoll_service.pk)
    assert service.vertskommune.nummer == ASKVOLL
    assert sorted(service.kommuner.values_list("nummer", flat=True)) == [ASKVOLL, FJALER]
    assert Membership.objects.filter(tjeneste=service, status=MembershipStatus.AKTIV).count() == 1
    assert list(Award.objects.get(import_nokkel="test-askvoll-2025").tjenester.all()) == [service]
    # the new kommune exists from the date; the renamed one has its new name and is not ended
    new = kommune(NEW)
    assert (new.navn, new.embete.slug, new.fylke.nummer, new.gyldig_fra, new.gyldig_til) == (
        "Sunnfjordkysten",
        "vestland",
        "46",
        MERGE_DAY,
        None,
    )
    bergen = kommune(BERGEN)
    assert (bergen.navn, bergen.gyldig_til) == ("Bjørgvin", None)
    assert Kommune.objects.count() == 358
    # the report lists all three kinds, with counts
    assert "Nye kommuner (1):\n  4652 Sunnfjordkysten\n" in output
    assert "Endret navn (1):\n  4601 Bergen → Bjørgvin\n" in output
    assert "Opphørt fra 2027-01-01 (2):\n  4645 Askvoll\n  4646 Fjaler\n" in output
    assert "Til sammen: 1 nye, 1 med nytt navn, 0 flyttet, 2 opphørt, 0 gjeninnført." in output

    # loading the same file again changes and reports nothing
    again = load("--data-dir", str(data_dir), "--gyldig-fra", "2027-01-01")

    assert again.strip() == "Referansedata er allerede oppdatert; ingenting endret."
    assert kommune(ASKVOLL).gyldig_til == MERGE_DAY and kommune(NEW).gyldig_fra == MERGE_DAY
    assert Kommune.objects.count() == 358


def test_the_date_may_come_from_the_file(reference_data, tmp_path):
    data_dir = merge_classification(tmp_path, extra_column=("gyldig_fra", "2027-01-01"))

    output = load("--data-dir", str(data_dir))

    assert kommune(ASKVOLL).gyldig_til == MERGE_DAY
    assert kommune(NEW).gyldig_fra == MERGE_DAY
    assert "Opphørt fra 2027-01-01 (2):" in output


def test_without_a_date_the_kommuner_end_today(reference_data, tmp_path):
    load("--data-dir", str(merge_classification(tmp_path)))
    today = datetime.date.today()
    assert kommune(ASKVOLL).gyldig_til == today
    assert kommune(NEW).gyldig_fra == today
    assert not kommune(ASKVOLL).is_active() and kommune(NEW).is_active()


def test_active_kommuner_on_a_day(reference_data, tmp_path):
    load("--data-dir", str(merge_classification(tmp_path)), "--gyldig-fra", "2027-01-01")

    before = set(Kommune.objects.aktive(datetime.date(2026, 12, 31)).values_list("nummer", flat=True))
    after = set(Kommune.objects.aktive(MERGE_DAY).values_list("nummer", flat=True))

    assert {ASKVOLL, FJALER} <= before and NEW not in before
    assert NEW in after and not {ASKVOLL, FJALER} & after
    assert len(before) == len(after) + 1 == 357
    assert set(Kommune.objects.opphorte(MERGE_DAY).values_list("nummer", flat=True)) == {ASKVOLL, FJALER}


def test_a_kommune_back_in_the_file_is_no_longer_ended(reference_data, tmp_path):
    load("--data-dir", str(merge_classification(tmp_path / "ny")), "--gyldig-fra", "2026-01-01")

    output = load("--data-dir", str(settings.REFERENCE_DATA_DIR), "--gyldig-fra", "2026-06-01")

    assert kommune(ASKVOLL).gyldig_til is None and kommune(FJALER).gyldig_til is None
    assert kommune(NEW).gyldig_til == datetime.date(2026, 6, 1)  # not deleted either
    assert kommune(BERGEN).navn == "Bergen"
    assert "Gjeninnført (ikke lenger opphørt) (2):\n  4645 Askvoll\n  4646 Fjaler\n" in output
    assert "Opphørt fra 2026-06-01 (1):\n  4652 Sunnfjordkysten\n" in output
    assert "Endret navn (1):\n  4601 Bjørgvin → Bergen\n" in output


def test_an_older_file_cannot_end_a_kommune_before_it_began_and_changes_nothing(reference_data, tmp_path):
    load("--data-dir", str(merge_classification(tmp_path)), "--gyldig-fra", "2027-01-01")

    with pytest.raises(CommandError) as exc:
        load("--data-dir", str(settings.REFERENCE_DATA_DIR), "--gyldig-fra", "2026-06-01")

    message = str(exc.value)
    assert "kommune 4652 Sunnfjordkysten" in message and "kan ikke opphøre 2026-06-01" in message
    assert "--gyldig-fra" in message
    # one transaction: the kommuner restored and renamed before the problem was found are as they were
    assert kommune(ASKVOLL).gyldig_til == MERGE_DAY
    assert kommune(BERGEN).navn == "Bjørgvin"


def test_moving_fylker_between_embeter_is_reported(reference_data, tmp_path):
    """Møre og Romsdal (15) and Trøndelag (50) swap embeter: every kommune in them is reported as moved."""
    target = write_classification(tmp_path)
    embeter = (target / "embeter.csv").read_text(encoding="utf-8")
    embeter = embeter.replace("i Møre og Romsdal,15\n", "i Møre og Romsdal,50\n").replace(
        "Trøndelag,50\n", "Trøndelag,15\n"
    )
    (target / "embeter.csv").write_text(embeter, encoding="utf-8")
    kommuner = (target / "kommuner.csv").read_text(encoding="utf-8")
    kommuner = kommuner.replace(",Møre og Romsdal,more-og-romsdal\n", ",Møre og Romsdal,TRD\n")
    kommuner = kommuner.replace(",Trøndelag,trondelag\n", ",Trøndelag,more-og-romsdal\n").replace(
        ",TRD\n", ",trondelag\n"
    )
    (target / "kommuner.csv").write_text(kommuner, encoding="utf-8")
    moved = Kommune.objects.filter(fylke__nummer__in=["15", "50"]).count()

    output = load("--data-dir", str(target))

    molde = kommune("1506")
    assert (molde.embete.slug, molde.fylke.embete.slug) == ("trondelag", "trondelag")
    assert f"Flyttet til annet fylke eller embete ({moved}):" in output
    assert (
        "  1506 Molde: fylke 15 Møre og Romsdal, Statsforvalteren i Møre og Romsdal → "
        "fylke 15 Møre og Romsdal, Statsforvalteren i Trøndelag\n"
    ) in output
    assert f"Til sammen: 0 nye, 0 med nytt navn, {moved} flyttet, 0 opphørt, 0 gjeninnført." in output
    assert "Oppdatert: 2 Fylke" in output


# --- ended kommuner are shown as ended and not offered for anything new -----------------------


@pytest.fixture
def merged(askvoll_service, tmp_path):
    """The merge has taken effect (a date in the past)."""
    load("--data-dir", str(merge_classification(tmp_path)), "--gyldig-fra", "2026-01-01")
    return askvoll_service


def test_ended_kommune_is_shown_as_ended(merged):
    assert str(kommune(ASKVOLL)) == "4645 Askvoll (opphørt 01.01.2026)"
    assert kommune(ASKVOLL).status_text == "opphørt 01.01.2026"
    assert str(kommune(NEW)) == "4652 Sunnfjordkysten"


def test_kommune_that_ends_later_says_so(reference_data, tmp_path):
    day = datetime.date.today() + datetime.timedelta(days=30)
    load("--data-dir", str(merge_classification(tmp_path)), "--gyldig-fra", day.isoformat())
    assert str(kommune(ASKVOLL)) == f"4645 Askvoll (opphører {day:%d.%m.%Y})"
    assert str(kommune(NEW)) == f"4652 Sunnfjordkysten (fra {day:%d.%m.%Y})"
    assert kommune(ASKVOLL).is_active() and not kommune(NEW).is_active()


def test_kommune_register_marks_ended_kommuner_and_filters_on_status(merged, login, bufdir):
    client = login(bufdir)

    page = client.get(reverse("organisations:kommune_list"), {"q": "Askvoll"}).content.decode()
    assert '<span class="ds-tag" data-color="warning">opphørt 01.01.2026</span>' in page

    ended = client.get(reverse("organisations:kommune_list"), {"status": "opphorte"})
    assert [k.nummer for k in ended.context["page"]] == [ASKVOLL, FJALER]
    active = client.get(reverse("organisations:kommune_list"), {"status": "aktive"})
    assert active.context["page"].paginator.count == 356
    assert client.get(reverse("organisations:kommune_list")).context["page"].paginator.count == 358


def test_service_pages_show_the_ended_kommune(merged, login, sf_vestland):
    client = login(sf_vestland)
    listing = client.get(reverse("organisations:service_list")).content.decode()
    assert "Askvoll (opphørt 01.01.2026)" in listing and "Fjaler (opphørt 01.01.2026)" in listing
    detail = client.get(reverse("organisations:service_detail", args=[merged.pk])).content.decode()
    assert "4645 Askvoll (opphørt 01.01.2026)" in detail


def test_new_service_form_offers_only_existing_kommuner(merged, login, sf_vestland):
    client = login(sf_vestland)
    form = client.get(reverse("organisations:service_create")).context["form"]
    offered = {k.nummer for k in form.fields["vertskommune"].queryset}
    assert NEW in offered and BERGEN in offered
    assert ASKVOLL not in offered and FJALER not in offered
    assert ASKVOLL not in {k.nummer for k in form.fields["kommuner"].queryset}

    response = client.post(
        reverse("organisations:service_create"),
        {"navn": "Ny tjeneste", "orgnr": valid_orgnr(900), "vertskommune": kommune(ASKVOLL).pk, "aktiv": "on"},
    )
    assert response.status_code == 200 and "vertskommune" in response.context["form"].errors
    assert not ChildWelfareService.objects.filter(navn="Ny tjeneste").exists()


def test_default_service_form_offers_only_existing_kommuner(merged):
    offered = set(ServiceForm().fields["vertskommune"].queryset.values_list("nummer", flat=True))
    assert NEW in offered and ASKVOLL not in offered


def test_existing_service_keeps_its_ended_kommuner_when_edited(merged, login, sf_vestland):
    client = login(sf_vestland)
    url = reverse("organisations:service_update", args=[merged.pk])
    form = client.get(url).context["form"]
    labels = dict((str(v), label) for v, label in form.fields["vertskommune"].choices if v)
    assert labels[str(kommune(ASKVOLL).pk)] == "4645 Askvoll (opphørt 01.01.2026)"
    assert kommune(FJALER) in form.fields["kommuner"].queryset
    assert kommune("4602") in form.fields["kommuner"].queryset  # other kommuner are still offered

    response = client.post(
        url,
        {
            "navn": "Barnevernet i Sunnfjordkysten",
            "orgnr": merged.orgnr,
            "vertskommune": kommune(ASKVOLL).pk,
            "kommuner": [kommune(FJALER).pk],
            "aktiv": "on",
        },
    )

    assert response.status_code == 302
    merged.refresh_from_db()
    assert merged.navn == "Barnevernet i Sunnfjordkysten"
    assert sorted(merged.kommuner.values_list("nummer", flat=True)) == [ASKVOLL, FJALER]


def test_services_refuse_ended_kommuner_for_anything_new(merged, sf_vestland):
    with pytest.raises(ValidationError) as exc:
        create_service(sf_vestland, navn="Ny", orgnr=valid_orgnr(901), vertskommune=kommune(ASKVOLL))
    assert exc.value.message_dict["vertskommune"] == [
        "Kommunen 4645 Askvoll er opphørt fra 01.01.2026 og kan ikke velges for noe nytt."
    ]
    other = factories.ServiceFactory(navn="Gloppen barnevern", vertskommune=kommune("4650"))
    with pytest.raises(ValidationError) as exc:
        update_service(sf_vestland, other, kommuner=[kommune(FJALER)])
    assert "kommuner" in exc.value.message_dict
    assert list(other.kommuner.values_list("nummer", flat=True)) == ["4650"]
    # the new kommune is fine
    created = create_service(sf_vestland, navn="Ny", orgnr=valid_orgnr(902), vertskommune=kommune(NEW))
    assert created.vertskommune.nummer == NEW


def test_import_refuses_an_ended_vertskommune_for_a_new_service(merged, sf_vestland):
    from organisations.services import import_services, read_dataset

    content = (
        "navn,orgnr,vertskommune,kommuner,epost,aktiv\n"
        f"Ny i Askvoll,{valid_orgnr(903)},{ASKVOLL},,,ja\n"
        f"{merged.navn},{merged.orgnr},{ASKVOLL},{FJALER},,ja\n"
    ).encode()

    report = import_services(
        sf_vestland, read_dataset(io.BytesIO(content), "t.csv"), embete=factories.embete("vestland")
    )

    assert report.errors == [
        (2, "vertskommune: Kommunen 4645 Askvoll er opphørt fra 01.01.2026 og kan ikke velges for noe nytt.")
    ]
    assert not ChildWelfareService.objects.filter(navn="Ny i Askvoll").exists()


def test_admin_lists_status_and_offers_only_existing_kommuner_for_a_new_service(merged, client, no_mfa):
    admin = factories.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)

    changelist = client.get(reverse("admin:organisations_kommune_changelist"), {"status": "opphorte"})
    assert changelist.status_code == 200
    page = changelist.content.decode()
    assert "opphørt 01.01.2026" in page and "Askvoll" in page and "Bergen" not in page

    add = client.get(reverse("admin:organisations_childwelfareservice_add"))
    offered = set(add.context["adminform"].form.fields["vertskommune"].queryset.values_list("nummer", flat=True))
    assert NEW in offered and ASKVOLL not in offered
    change = client.get(reverse("admin:organisations_childwelfareservice_change", args=[merged.pk]))
    offered = set(change.context["adminform"].form.fields["kommuner"].queryset.values_list("nummer", flat=True))
    assert {ASKVOLL, FJALER, NEW} <= offered


def test_start_page_counts_existing_kommuner(merged, login, bufdir):
    response = login(bufdir).get(reverse("home"))
    assert response.context["totals"]["kommuner"] == 356
