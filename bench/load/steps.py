"""What a person types into each form of the load test, apart from HTTP (no locust here), so that
tests/bench/test_loadtest_plan.py can post the same forms through Django's test client. Each function takes the
form as read from the page (htmlforms.Form) and fills in what a user would."""

import random
import re

ID = re.compile(r"/midler/soknader/(\d+)/")
AMOUNT = re.compile(r"Søknadsbeløp</dt><dd>([\d\s\u00a0]+)\u00a0kr")
SUMMARY = re.compile(r'class="ds-error-summary".*?<ul class="ds-list">(.*?)</ul>', re.S)
RECEIPT = re.compile(r"Referansenummeret er <strong>([^<]+)</strong>")
REFUSALS = (
    ("over rammen", "ramme_brukt_opp"),
    ("kan ikke avgjøres i status", "allerede_avgjort"),
    ("allerede erklært habilitet", "habilitet_allerede_erklaert"),
    ("kan ikke få saksbehandler i status", "allerede_avgjort"),
    ("kan ikke vurderes i status", "allerede_avgjort"),
    ("er ikke et utkast", "ikke_lenger_utkast"),
)


def refusal_reason(text: str) -> str:
    """A short name for the Norwegian message a refused form came back with."""
    for needle, reason in REFUSALS:
        if needle in text:
            return reason
    if text.lstrip().startswith("{"):  # the autosave endpoint answers with JSON
        return "annet: " + " ".join(text.split())[:300]
    match = SUMMARY.search(text)
    summary = " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())[:300] if match else ""
    return "annet: " + (summary or "ukjent")


def application_ids(html: str) -> list[int]:
    return [int(x) for x in dict.fromkeys(ID.findall(html))]


def amount(html: str) -> int:
    """The søknadsbeløp shown on an application page (whole kroner), 0 if none."""
    match = AMOUNT.search(html)
    return int(re.sub(r"\D", "", match.group(1))) if match else 0


def fill_login(form, email: str, password: str):
    return form.set("login", email).set("password", password)


def fill_create(form, name: str, networks: list[int], rng: random.Random) -> str:
    """«Søk»: a category, one of the service's networks (those with a partner service first), a new project."""
    options = [v for v, _label in form.options("network") if v]
    preferred = [v for v in options if int(v) in networks] or options
    kategori = rng.choice([v for v, _label in form.options("kategori")])
    form.set("kategori", kategori).set("network", rng.choice(preferred)).set("prosjektnavn", name)
    return kategori


def fill_draft(form, *, kategori: str, marker: str, knowledge_partners: list[int], rng: random.Random) -> None:
    """The whole draft: goal (with the client's unique tag), activities, a partner service, two budget lines,
    and a knowledge partner when the category needs one."""
    form.set("maal", f"[{marker}] Bedre oppfølging av fosterhjem gjennom felles rutiner og veiledning.")
    form.set("aktiviteter", "Fire samlinger, veiledning i tjenestene og en felles rutine for oppfølging.")
    form.set("tidsplan", "Januar–desember, med samlinger hvert kvartal.")
    others = [v for v, _label in form.options("tjenester") if v not in form.checked("tjenester")]
    if len(form.checked("tjenester")) < 2 and others:
        form.check("tjenester", rng.choice(others))
    form.set("budsjett-0-type", "stilling").set("budsjett-0-beskrivelse", "Prosjektleder i deltidsstilling")
    form.set("budsjett-0-belop", str(rng.randrange(50_000, 250_000, 1000)))
    form.set("budsjett-1-type", "kompetanse").set("budsjett-1-beskrivelse", "Veiledning og samlinger")
    form.set("budsjett-1-belop", str(rng.randrange(20_000, 200_000, 1000)))
    form.set("annen_finansiering", str(rng.choice([0, 0, 10_000, 20_000])))
    if kategori == "egeninitiert" and not form.value("partnere-0-partner"):
        options = {v for v, _label in form.options("partnere-0-partner")}
        knowledge = [str(p) for p in knowledge_partners if str(p) in options]
        if knowledge:
            form.set("partnere-0-partner", rng.choice(knowledge))
            form.set("partnere-0-rolle", "Faglig veiledning og evaluering av prosjektet.")


def ready_to_submit(form) -> bool:
    """The submit page shows the button (a form with only the CSRF token) only when nothing is missing."""
    return bool(form) and form.names() == {"csrfmiddlewaretoken"}


def casework_step(html: str, pk: int, user_id: int, rng: random.Random, forms_module):
    """The next thing a caseworker does on an application page, or None: (kind, url suffix, filled form, fields
    to record). Case officer (themself) first, then impartiality, sometimes a recommendation, then the decision:
    innvilget (the amount applied for), delvis innvilget (60 %) or avslått."""
    path = f"/midler/soknader/{pk}/"
    assign = forms_module.form_for(html, action=f"{path}saksbehandler/")
    impartial = forms_module.form_for(html, action=f"{path}habilitet/")
    recommend = forms_module.form_for(html, action=f"{path}anbefaling/")
    # The decision form posts to its confirmation page first (issue 17); the client posts the same fields on to
    # the decision itself, as the confirmation page's «Fatt vedtaket» does with them hidden.
    decide = forms_module.form_for(html, action=f"{path}vedtak/bekreft/") or forms_module.form_for(
        html, action=f"{path}vedtak/"
    )
    if assign and not assign.value("sb-saksbehandler"):
        return "saksbehandler", "saksbehandler/", assign.set("sb-saksbehandler", str(user_id)), {}
    if impartial:
        return "habilitet", "habilitet/", impartial.set("hab-ugild", "nei"), {}
    if recommend and not recommend.value("anb-anbefaling") and rng.random() < 0.5:
        applied = amount(html)
        recommend.set("anb-anbefaling", rng.choice(["innvilge", "delvis", "avslaa"]))
        recommend.set("anb-foreslatt_belop", str(applied) if applied else "")
        recommend.set("anb-begrunnelse", "Godt forankret samarbeid med realistisk plan.")
        return "anbefaling", "anbefaling/", recommend, {}
    if decide:
        applied = amount(html)
        utfall = rng.choices(["innvilget", "delvis_innvilget", "avslatt"], weights=[5, 3, 2])[0]
        belop = {"innvilget": applied, "delvis_innvilget": int(applied * 0.6), "avslatt": 0}[utfall]
        if not applied:
            utfall, belop = "avslatt", 0
        decide.set("vedtak-utfall", utfall).set("vedtak-belop", str(belop) if belop else "")
        decide.set("vedtak-begrunnelse", "Søknaden er vurdert etter kriteriene i utlysningen.")
        return "vedtak", "vedtak/", decide, {"utfall": utfall, "belop": belop}
    return None
