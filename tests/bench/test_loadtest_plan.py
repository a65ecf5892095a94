"""The load test's setup and bookkeeping (bench/load), on a tiny world: the plan creates what the clients need
(logins, a published round open for applications, frames), the clients' form filling posts what the real
pages accept (one full applicant and caseworker journey through the test client), and the check after the run
finds a lost write and a ghost write."""

import copy
import datetime
import importlib.util
import random
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.permissions import has_permission
from grants.models import Application, ApplicationRound, ApplicationStatus, Decision, Frame, RoundStatus
from networks.models import LearningNetwork, Membership, MembershipStatus, NetworkStatus
from organisations.models import Embete
from tests import factories

LOAD = Path(__file__).resolve().parents[2] / "bench" / "load"
PASSWORD = "Lasttest-passord-2026"


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"loadtest_{name}", LOAD / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


plan_mod, steps, htmlforms = _module("plan"), _module("steps"), _module("htmlforms")


@pytest.fixture
def world(reference_data, settings, tmp_path, no_mfa):
    """Two networks in Vestland: one with three services, one with a single member (never chosen: nobody to
    apply together with)."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
    services = [factories.ServiceFactory() for _ in range(4)]
    for name, members in (("Nettverk A", services[:3]), ("Nettverk B", services[3:])):
        network = LearningNetwork.objects.create(
            embete=Embete.objects.get(slug="vestland"), navn=name, etablert_aar=2020, status=NetworkStatus.AKTIV
        )
        for s in members:
            Membership.objects.create(
                network=network, tjeneste=s, status=MembershipStatus.AKTIV, fra_dato=datetime.date(2020, 1, 1)
            )
    return services


def _pairs_to_data(pairs) -> dict:
    data: dict[str, list[str]] = {}
    for key, value in pairs:
        data.setdefault(key, []).append(value)
    return data


def _login(client, email: str) -> None:
    form = htmlforms.form_for(client.get("/konto/login/").content.decode(), field="password")
    response = client.post("/konto/login/", _pairs_to_data(steps.fill_login(form, email, PASSWORD).pairs()))
    assert response.status_code == 302, "the load clients log in through the real form"


def _post(client, capture, path: str, form):
    with capture(execute=True):  # receipts and letters are sent on commit, as in the server
        return client.post(path, _pairs_to_data(form.pairs()))


def test_plan_creates_logins_open_round_and_frames(world):
    plan = plan_mod.build_plan(service_users=3, staff_users=1, embeter=3, password=PASSWORD)
    assert list(plan["rounds"]) == ["vestland"], "only embeter with a network of two or more services"
    rnd = ApplicationRound.objects.get(pk=plan["rounds"]["vestland"])
    assert rnd.status == RoundStatus.PUBLISERT and rnd.frist > timezone.localdate() >= rnd.apner
    assert Frame.objects.filter(embete=rnd.embete, aar=rnd.aar).count() == 2
    assert len({u["tjeneste_id"] for u in plan["service_users"]}) == 3, "distinct services: no shared rows"
    assert all(u["tjeneste_id"] != world[3].pk for u in plan["service_users"])
    from accounts.models import User

    for entry in plan["service_users"] + plan["staff_users"]:
        user = User.objects.get(email=entry["email"])
        assert user.check_password(PASSWORD)
    staff = User.objects.get(email=plan["staff_users"][0]["email"])
    assert has_permission(staff, "grants.decide", Application(utlysning=rnd))
    assert plan["baseline"]["soknader"]["rader"] == 0
    assert plan["knowledge_partners"], "egeninitiert drafts need a knowledge partner"


def test_client_forms_are_accepted_and_verify_catches_lost_and_ghost_writes(
    world, client, django_capture_on_commit_callbacks
):
    plan = plan_mod.build_plan(service_users=1, staff_users=1, embeter=1, password=PASSWORD)
    applicant, staff = plan["service_users"][0], plan["staff_users"][0]
    rng, writes = random.Random(8), []

    # The applicant: «Søk», fill in the draft, submit.
    _login(client, applicant["email"])
    path = f"/midler/utlysninger/{applicant['round_id']}/sok/"
    form = htmlforms.form_for(client.get(path).content.decode(), field="prosjektnavn")
    kategori = steps.fill_create(form, "Lasttest prosjekt 1", applicant["networks"], rng)
    response = _post(client, django_capture_on_commit_callbacks, path, form)
    assert response.status_code == 302
    pk = int(steps.ID.search(response["Location"]).group(1))
    writes.append(
        {
            "kind": "utkast",
            "ok": True,
            "app": pk,
            "user_id": applicant["user_id"],
            "prosjekt": form.value("prosjektnavn"),
        }
    )
    edit = f"/midler/soknader/{pk}/endre/"
    form = htmlforms.form_for(client.get(edit).content.decode(), field="maal")
    steps.fill_draft(form, kategori=kategori, marker="LT-1-1", knowledge_partners=plan["knowledge_partners"], rng=rng)
    assert _post(client, django_capture_on_commit_callbacks, edit, form)["Location"] == edit
    writes.append({"kind": "lagre", "ok": True, "app": pk, "user_id": applicant["user_id"], "marker": "LT-1-1"})
    submit = f"/midler/soknader/{pk}/send-inn/"
    form = htmlforms.form_for(client.get(submit).content.decode(), action="")
    assert steps.ready_to_submit(form), "the filled-in draft has everything submission needs"
    assert _post(client, django_capture_on_commit_callbacks, submit, form).status_code == 302
    receipt = client.get(f"/midler/soknader/{pk}/kvittering/").content.decode()
    reference = steps.RECEIPT.search(receipt).group(1)
    writes.append({"kind": "send_inn", "ok": True, "app": pk, "user_id": applicant["user_id"], "referanse": reference})

    # The caseworker: case officer, impartiality, then (after an optional recommendation) the decision.
    client.logout()
    _login(client, staff["email"])
    assert pk in steps.application_ids(
        client.get(f"/midler/soknader/?status={ApplicationStatus.SENDT_INN}").content.decode()
    )
    for _ in range(4):
        html = client.get(f"/midler/soknader/{pk}/").content.decode()
        step = steps.casework_step(html, pk, staff["user_id"], rng, htmlforms)
        if step is None:
            break
        kind, suffix, form, fields = step
        response = _post(client, django_capture_on_commit_callbacks, f"/midler/soknader/{pk}/{suffix}", form)
        assert response.status_code == 302, steps.refusal_reason(response.content.decode())
        writes.append({"kind": kind, "ok": True, "app": pk, "user_id": staff["user_id"], **fields})
    decision = Decision.objects.get(soknad_id=pk)
    assert [w["kind"] for w in writes][-1] == "vedtak"

    tally = {"writes": writes}
    report = plan_mod.verify(plan, tally)
    assert report["ok"], report
    assert report["rader"]["vedtak"]["nye"] == 1 and report["databasens_skrivinger"]["send_inn"] == 1

    # A decision a client saw succeed but the database lacks: a lost write.
    lost = copy.deepcopy(tally)
    lost["writes"].append(
        {"kind": "vedtak", "ok": True, "app": pk + 1000, "user_id": staff["user_id"], "utfall": "avslatt", "belop": 0}
    )
    report = plan_mod.verify(plan, lost)
    assert not report["ok"] and len(report["tapte_skrivinger"]) == 1
    # A save the client saw fail, yet its tag is in the database: a ghost write.
    ghost = copy.deepcopy(tally)
    ghost["writes"] = [w | {"ok": False} if w["kind"] == "lagre" else w for w in ghost["writes"]]
    report = plan_mod.verify(plan, ghost)
    assert not report["ok"] and any("LT-1-1" in g for g in report["spokelsesskrivinger"])
    assert decision.utfall == Application.objects.get(pk=pk).status
