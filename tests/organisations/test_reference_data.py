"""load_reference_data: the 10 embeter with name history, 15 fylker, 357 kommuner and the partner catalogue."""

import csv
import datetime
import io
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from organisations.models import Embete, EmbeteNavn, Fylke, Kommune, Maalform, Partner
from organisations.services import set_kommune_maalform
from tests import factories

OSLO_VIKEN = "ostfold-buskerud-oslo-akershus"


def _load(*args) -> str:
    out = io.StringIO()
    call_command("load_reference_data", *args, stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {
        "embeter": Embete.objects.count(),
        "navn": EmbeteNavn.objects.count(),
        "fylker": Fylke.objects.count(),
        "kommuner": Kommune.objects.count(),
        "partnere": Partner.objects.count(),
    }


@pytest.mark.django_db
def test_command_loads_all_reference_data():
    output = _load()

    assert _counts() == {"embeter": 10, "navn": 20, "fylker": 15, "kommuner": 357, "partnere": 55}
    assert "Opprettet: 357 Kommune" in output
    assert "Opprettet: 10 Embete" in output
    assert Kommune.objects.get(nummer="4601").embete.slug == "vestland"
    assert Kommune.objects.get(nummer="0301").fylke.embete.slug == OSLO_VIKEN
    assert set(Fylke.objects.filter(embete__slug=OSLO_VIKEN).values_list("nummer", flat=True)) == {
        "03",
        "31",
        "32",
        "33",
    }
    # every kommune's embete is the embete of its fylke
    assert not Kommune.objects.exclude(embete=F("fylke__embete")).exists()
    # new kommuner start out neutral: staff choose the målform
    assert set(Kommune.objects.values_list("maalform", flat=True)) == {Maalform.NOYTRAL}


@pytest.mark.django_db
def test_second_run_changes_nothing_and_says_so():
    _load()
    before = _counts()
    ids_before = set(Kommune.objects.values_list("pk", flat=True))

    output = _load()

    assert _counts() == before
    assert set(Kommune.objects.values_list("pk", flat=True)) == ids_before
    assert "ingenting endret" in output
    assert "Opprettet" not in output and "Oppdatert" not in output


def test_reload_keeps_staff_chosen_maalform(reference_data):
    sf = factories.statsforvalter("vestland")
    set_kommune_maalform(sf, Kommune.objects.get(nummer="4601"), Maalform.NYNORSK)

    output = _load()

    assert Kommune.objects.get(nummer="4601").maalform == Maalform.NYNORSK
    assert "ingenting endret" in output


def test_reload_updates_changed_names_but_not_maalform(reference_data, tmp_path):
    Kommune.objects.filter(nummer="4601").update(maalform=Maalform.NYNORSK)
    source = Path(settings.REFERENCE_DATA_DIR)
    shutil.copy(source / "embeter.csv", tmp_path / "embeter.csv")
    with open(source / "kommuner.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        if row["kommunenummer"] == "4601":
            row["kommunenavn"] = "Bjørgvin"
    with open(tmp_path / "kommuner.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    output = _load("--data-dir", str(tmp_path))

    kommune = Kommune.objects.get(nummer="4601")
    assert kommune.navn == "Bjørgvin"
    assert kommune.maalform == Maalform.NYNORSK
    assert "Endret navn (1):\n  4601 Bergen → Bjørgvin\n" in output
    assert "Oppdatert: 1 Kommune" in output
    assert "Opprettet" not in output and "Opphørt" not in output
    assert Kommune.objects.count() == 357
    assert not Kommune.objects.filter(gyldig_til__isnull=False).exists()


@pytest.mark.django_db
def test_missing_data_dir_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="Fant ikke embeter.csv i .*finnes-ikke \\(mappen finnes ikke\\)"):
        _load("--data-dir", str(tmp_path / "finnes-ikke"))
    assert Embete.objects.count() == 0


def test_default_data_is_the_projects_own():
    """The reference data ships with the project: nothing is read from beside the repository."""
    base = Path(settings.BASE_DIR)
    if "LAERINGSNETT_REFERENCE_DATA" not in os.environ:
        assert Path(settings.REFERENCE_DATA_DIR) == base / "organisations" / "data"
    for name in ("embeter.csv", "kommuner.csv", "partnere.csv", "README.md"):
        assert (base / "organisations" / "data" / name).is_file()
    assert (base / "reporting" / "data" / "publiserte-tildelinger-2021-2023.csv").is_file()
    assert "NLOD" in (base / "organisations" / "data" / "README.md").read_text(encoding="utf-8")
    assert "NLOD" in (base / "reporting" / "data" / "README.md").read_text(encoding="utf-8")


def test_reload_keeps_partners_added_by_staff(reference_data):
    factories.PartnerFactory(navn="Lokalt kompetansesenter")
    _load()
    assert Partner.objects.filter(navn="Lokalt kompetansesenter").exists()
    assert Partner.objects.count() == 56


def test_embete_name_history(reference_data):
    embete = Embete.objects.get(slug=OSLO_VIKEN)

    assert embete.name_in_year(2019) == "Statsforvalteren i Oslo og Viken"
    assert embete.name_in_year(2022) == "Statsforvalteren i Oslo og Viken"
    assert embete.name_in_year(2023) == "Statsforvalteren i Oslo og Viken"
    assert embete.name_in_year(2024) == "Statsforvalteren i Østfold, Buskerud, Oslo og Akershus"
    assert embete.name_on(datetime.date(2023, 12, 31)) == "Statsforvalteren i Oslo og Viken"
    assert embete.name_on(datetime.date(2024, 1, 1)) == "Statsforvalteren i Østfold, Buskerud, Oslo og Akershus"
    assert embete.navn == "Statsforvalteren i Østfold, Buskerud, Oslo og Akershus"


def test_unchanged_embete_name_is_the_same_every_year(reference_data):
    vestland = Embete.objects.get(slug="vestland")
    assert {vestland.name_in_year(y) for y in (2019, 2022, 2024, 2026)} == {"Statsforvalteren i Vestland"}


def test_maalform_decides_letter_language(reference_data):
    kommune = Kommune.objects.get(nummer="4601")
    assert kommune.letter_language == Maalform.BOKMAAL  # nøytral gives bokmål
    kommune.maalform = Maalform.NYNORSK
    assert kommune.letter_language == Maalform.NYNORSK
