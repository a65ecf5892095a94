"""The access matrix: every URL pattern of the site × every role, with the outcome a serious public-sector system
requires (docs/roles.md, docs/overview.md «Roller og hva de kan gjøre», accounts/permissions.py and each app's
permission module).

- `url_patterns()` walks django.urls.get_resolver() through every include (apps, allauth under /konto/, the admin,
  the API, i18n, healthz) and names each pattern "namespace:name"; a pattern without a name is named by its route
  ("route:admin/auth/group/<path:object_id>/").
- `EXPECTED` declares the outcome per role for every named URL; `RULES` covers the admin with one rule because
  every admin URL goes through AdminSite.admin_view (active staff only) and none of the roles is staff.
  A URL that is in neither fails test_every_url_has_an_entry with its name.
- `KWARGS` builds each URL's parameters from the world (tests/security/conftest.py).

Outcomes (one letter per role in a row, in the order of ROLES):
    O  OK: 2xx, or a redirect that is not to a login page
    L  LOGIN: redirect to the login page (/konto/login/, the admin's login for /admin/), or 401 from the API
    D  DENY: 403 — the user may see that the object exists (it is in their scope or public), but not do this
    H  HIDDEN: 404 — the object is outside the user's scope; the same answer as for an id that does not exist
    M  METHOD: 405 — the URL only takes POST (the GET column of a POST-only URL)
For a URL that takes POST the row is also checked with POST: every role whose POST outcome is not O must be
refused with exactly that outcome and change nothing; the O roles must not be refused.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

OK, LOGIN, DENY, HIDDEN, METHOD = "O", "L", "D", "H", "M"
OUTCOMES = {OK: "OK", LOGIN: "LOGIN", DENY: "DENY (403)", HIDDEN: "HIDDEN (404)", METHOD: "METHOD (405)"}

ROLES = {
    "anon": "anonymous visitor",
    "svc_other": "leader of another barnevernstjeneste (Sogndal, same embete, not in the network or project)",
    "svc_leader": "leader (tjeneste_leder) of the right service (Bergen: network member, applicant, in the project)",
    "svc_staff": "medarbeider (tjeneste_medarbeider) of the right service (Bergen)",
    "sf_other": "statsforvalter saksbehandler of another embete (Agder)",
    "sf": "statsforvalter saksbehandler of the right embete (Vestland)",
    "sf_leader": "statsforvalter leder of the right embete (Vestland)",
    "bufdir": "Bufdir",
    "partner": "partner user (RKBU, partner in the network and the project)",
}
ROLE_KEYS = tuple(ROLES)


@dataclass(frozen=True)
class Expect:
    """get: one outcome letter per role (ROLE_KEYS order), spaces allowed. method: "get" (GET only, or a POST
    does nothing more than GET), "both" (a form: GET shows it, POST acts), "post" (POST only). post: the POST
    outcomes when they differ from get (for "post" URLs get is the POST row and the GET row is derived).
    data: the POST body (a valid action, so a missing check would show as a change). public: why a page is open
    to anonymous visitors. follow: follow redirects (RedirectView aliases) before judging."""

    get: str
    method: str = "get"
    post: str | None = None
    data: Callable | None = None
    public: str = ""
    follow: bool = False
    note: str = ""

    def row(self, text: str) -> dict[str, str]:
        letters = text.replace(" ", "")
        assert len(letters) == len(ROLE_KEYS) and set(letters) <= set(OUTCOMES), f"bad row {text!r}"
        return dict(zip(ROLE_KEYS, letters, strict=True))

    def get_row(self) -> dict[str, str]:
        if self.method == "post":
            return {role: (LOGIN if role == "anon" else METHOD) for role in ROLE_KEYS}
        return self.row(self.get)

    def post_row(self) -> dict[str, str] | None:
        if self.method == "get":
            return None
        return self.row(self.post or self.get)


# --- walking the URL configuration ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str
    route: str
    pattern: URLPattern = field(compare=False)


def url_patterns() -> list[Route]:
    out: list[Route] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str | None):
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
                walk(p, prefix + str(p.pattern), ns)
            else:
                route = prefix + str(p.pattern)
                if p.name:
                    key = f"{namespace}:{p.name}" if namespace else p.name
                else:
                    key = f"route:{route}"
                out.append(Route(key, route, p))

    walk(get_resolver(), "", None)
    return out


def entry_for(key: str) -> Expect | None:
    if key in EXPECTED:
        return EXPECTED[key]
    for prefix, expect in RULES:
        if key.startswith(prefix):
            return expect
    return None


# --- URL parameters from the world --------------------------------------------------------------------------------


def _pk(attr: str) -> Callable:
    return lambda w: {"pk": getattr(w, attr).pk}


KWARGS: dict[str, Callable] = {
    "invitation_revoke": _pk("invitation"),
    "accept_invitation": lambda w: {"token": w.invitation_token},
    "organisations:embete_detail": lambda w: {"slug": w.vestland.slug},
    "organisations:kommune_maalform": lambda w: {"nummer": w.kommune.nummer},
    "organisations:service_export": lambda w: {"fmt": "csv"},
    "organisations:service_detail": _pk("bergen"),
    "organisations:service_update": _pk("bergen"),
    "organisations:partner_update": _pk("rkbu"),
    "networks:export": lambda w: {"what": "medlemskap", "fmt": "csv"},
    "networks:detail": _pk("network"),
    "networks:update": _pk("network"),
    "networks:status": _pk("network"),
    "networks:invite": _pk("network"),
    "networks:request_join": _pk("network"),
    "networks:person_add": _pk("network"),
    "networks:partner_add": _pk("network"),
    "networks:oppvekst_add": _pk("network"),
    "networks:document_upload": _pk("network"),
    "networks:gathering_create": _pk("network"),
    "networks:membership_respond": _pk("invited"),
    "networks:membership_decide": _pk("requested"),
    "networks:membership_leave": _pk("membership"),
    "networks:person_end": _pk("person"),
    "networks:partner_end": _pk("network_partner"),
    "networks:document_download": _pk("document"),
    "grants:round_detail": _pk("round"),
    "grants:application_detail": _pk("app_decided"),
    "grants:decision_letter": _pk("app_decided"),
    "grants:claim_detail": _pk("claim"),
    "grants:claim_letter": _pk("claim"),
    "grants:claim_receipt": _pk("claim"),
    "grants:claim_waive": _pk("claim"),
    "grants:attachment_download": _pk("attachment"),
    "grants:round_update": _pk("draft_round"),
    "grants:round_publish": _pk("draft_round"),
    "grants:round_publish_confirm": _pk("draft_round"),
    "grants:decide_confirm": _pk("app_review"),
    "grants:attachment_remove": _pk("draft_attachment"),
    "grants:draft_delete": _pk("app_draft"),
    "grants:application_create": _pk("round"),
    "grants:application_edit": _pk("app_draft"),
    "grants:application_autosave": _pk("app_draft"),
    "grants:application_attachment": _pk("app_draft"),
    "grants:application_submit": _pk("app_draft"),
    "grants:application_receipt": _pk("app_decided"),
    "grants:application_withdraw": _pk("app_review"),
    "grants:application_versions": _pk("app_decided"),
    "grants:application_version": lambda w: {"pk": w.app_decided.pk, "nummer": 1},
    "grants:application_version_compare": lambda w: {"pk": w.app_decided.pk, "nummer": 1},
    "grants:assign_officer": _pk("app_review"),
    "grants:impartiality": _pk("app_review"),
    "grants:score": _pk("app_review"),
    "grants:recommend": _pk("app_review"),
    "grants:decide": _pk("app_review"),
    "grants:register_payment": _pk("app_decided"),
    "grants:repayment_claim": _pk("app_decided"),
    "grants:carry_over": _pk("app_decided"),
    "grants:appeal_create": _pk("app_decided"),
    "grants:board_update": _pk("app_review"),
    "grants:resolve_appeal": _pk("appeal"),
    "grants:appeal_queue": lambda w: {},
    "grants:appeal_case": _pk("appeal"),
    "grants:appeal_decide": _pk("appeal"),
    "grants:appeal_letter": lambda w: {"pk": w.appeal.pk, "hvem": "statsforvalter"},
    "grants:board": lambda w: {"pk": w.round.pk, "kategori": "fosterhjem"},
    "grants:round_letters": _pk("round"),
    "grants:round_letters_progress": _pk("round"),
    "grants:information_case": _pk("app_review"),
    "grants:information_request": _pk("app_review"),
    "grants:information_answer": _pk("app_waiting"),
    "projects:project_detail": _pk("project"),
    "projects:project_edit": _pk("project"),
    "projects:project_phase": _pk("project"),
    "projects:project_listing": _pk("project"),
    "projects:service_add": _pk("project"),
    "projects:service_end": _pk("project_service"),
    "projects:project_leader": _pk("project"),
    "projects:contact_add": _pk("project"),
    "projects:contact_remove": _pk("contact"),
    "projects:partner_add": _pk("project"),
    "projects:partner_end": _pk("project_partner"),
    "projects:output_create": _pk("project"),
    "projects:output_edit": _pk("output"),
    "projects:output_delete": _pk("output"),
    "projects:output_file": _pk("output"),
    "projects:knowledge_bank_detail": _pk("listed"),
    "projects:requirement_detail": _pk("final_krav"),
    "projects:postponement_request": _pk("krav"),
    "projects:postponement_decide": _pk("postponement"),
    "projects:change_detail": _pk("change_notice"),
    "projects:change_decide": _pk("change_notice"),
    "projects:application_changes": _pk("app_decided"),
    "projects:change_create": _pk("app_decided"),
    "projects:report_edit": _pk("final_krav"),
    "projects:report_detail": _pk("submitted_report"),
    "projects:report_autosave": _pk("draft_report"),
    "projects:report_review": _pk("submitted_report"),
    "reporting:national_export": lambda w: {"what": "tildelinger", "fmt": "csv"},
    "reporting:annual_detail": _pk("annual"),
    "reporting:annual_comment": _pk("annual"),
    "reporting:annual_reopen": _pk("annual"),
    "reporting:annual_pdf": _pk("annual"),
    "reporting:annual_xlsx": _pk("annual"),
    "reporting:allocations_preview": lambda w: {"import_id": w.import_id},
    "reporting:allocations_confirm": lambda w: {"import_id": w.import_id},
    "reporting:allocations_cancel": lambda w: {"import_id": w.import_id},
    "reporting:allocations_status": lambda w: {"import_id": w.import_id},
    "reporting:allocations_status_json": lambda w: {"import_id": w.import_id},
    "api:token_revoke": _pk("token"),
    "account_confirm_email": lambda w: {"key": "ugyldig-nokkel"},
    "account_reset_password_from_key": lambda w: {"uidb36": "1", "key": "ugyldig-nokkel"},
    "openid_connect_login": lambda w: {"provider_id": "ansattporten"},
    "openid_connect_callback": lambda w: {"provider_id": "ansattporten"},
}

# Admin and other generic parameters, by name.
GENERIC_PARAMS = {
    "object_id": "1",
    "content_type_id": "1",
    "id": "1",
    "app_label": "organisations",
    "url": "finnes-ikke/",
}


def kwargs_for(route: Route, w) -> dict:
    if route.key in KWARGS:
        return KWARGS[route.key](w)
    names = list(route.pattern.pattern.converters) or list(route.pattern.pattern.regex.groupindex)
    missing = [n for n in names if n not in GENERIC_PARAMS]
    assert not missing, f"{route.key}: no kwargs builder for {missing} (add one to KWARGS)"
    return {n: GENERIC_PARAMS[n] for n in names}


def path_for(route: Route, w) -> str:
    """The concrete path: reverse() for named patterns, the route filled in for unnamed ones."""
    from django.urls import reverse

    kwargs = kwargs_for(route, w)
    if not route.key.startswith("route:"):
        return reverse(route.key, kwargs=kwargs)
    path = route.route
    for name, value in kwargs.items():
        for conv in ("<path:", "<str:", "<int:", "<slug:", "<"):
            path = path.replace(f"{conv}{name}>", str(value))
    return "/" + path


EXPECTED: dict[str, Expect] = {}
RULES: list[tuple[str, Expect]] = []


# --- POST bodies: each a valid request for the action, so that a missing check would show as a change ----------

TODAY = "2026-02-02"


def _staff_decision(w) -> dict:
    return {
        "utfall": "innvilget",
        "belop": "100000",
        "begrunnelse": "Godt prosjekt.",
        "vilkaar": "",
        "rapportfrist": "2027-03-01",
    }


POST_DATA: dict[str, Callable] = {
    "invitation_list": lambda w: {"email": "ny@example.no", "rolle": "tjeneste_medarbeider", "tjeneste": w.bergen.pk},
    "organisations:kommune_maalform": lambda w: {"maalform": "nynorsk"},
    "organisations:partner_update": lambda w: {"navn": "Omdøpt", "type": "rkbu", "aktiv": "on"},
    "networks:update": lambda w: {"navn": "Omdøpt nettverk", "etablert_aar": "2022", "orientering": "begge"},
    "networks:status": lambda w: {"status": "avsluttet", "fra_dato": TODAY},
    "networks:invite": lambda w: {"tjeneste": w.sogndal.pk},
    "networks:request_join": lambda w: {"begrunnelse": "Vi vil være med."},
    "networks:partner_add": lambda w: {"partner": w.rkbu.pk, "rolle": "Veileder", "fra_dato": TODAY},
    "networks:membership_respond": lambda w: {"svar": "ja"},
    "networks:membership_decide": lambda w: {"beslutning": "godkjenn", "dato": TODAY},
    "networks:membership_leave": lambda w: {"til_dato": TODAY, "begrunnelse": "Slutter."},
    "networks:person_end": lambda w: {"dato": TODAY},
    "networks:partner_end": lambda w: {"dato": TODAY},
    "grants:frame_set": lambda w: {"embete": w.vestland.pk, "aar": "2026", "kategori": "fosterhjem", "belop": "1"},
    "grants:round_publish": lambda w: {},
    "grants:application_withdraw": lambda w: {},
    "grants:application_submit": lambda w: {},
    "grants:assign_officer": lambda w: {"saksbehandler": w.users["sf_leader"].pk},
    "grants:impartiality": lambda w: {"ugild": "nei", "begrunnelse": ""},
    "grants:recommend": lambda w: {"anbefaling": "innvilg", "begrunnelse": "Godt.", "foreslatt_belop": "100000"},
    "grants:decide": _staff_decision,
    "grants:decide_confirm": _staff_decision,
    "grants:register_payment": lambda w: {
        "utb-dato": TODAY,
        "utb-belop": "1000",
        "utb-kontonummer": "15030100007",
        "bekreft": "1",
    },
    "grants:repayment_claim": lambda w: {
        "krav-belop": "100",
        "krav-begrunnelse": "Ubrukt.",
        "krav-forfall": "2026-03-01",
        "bekreft": "1",
    },
    "grants:claim_receipt": lambda w: {"innbetaling-dato": TODAY, "innbetaling-belop": "100", "bekreft": "1"},
    "grants:claim_waive": lambda w: {
        "ettergivelse-dato": TODAY,
        "ettergivelse-begrunnelse": "Ettergis.",
        "bekreft": "1",
    },
    "grants:carry_over": lambda w: {"belop": "1000", "begrunnelse": "Overføres."},
    "grants:appeal_create": lambda w: {"begrunnelse": "Vi klager."},
    "grants:resolve_appeal": lambda w: {
        f"klage-{w.appeal.pk}-utfall": "avvist",
        f"klage-{w.appeal.pk}-begrunnelse": "For sent.",
    },
    "grants:appeal_decide": lambda w: {"bufdir-utfall": "stadfestet", "bufdir-begrunnelse": "Riktig vurdert."},
    "grants:board_update": lambda w: {f"r{w.app_review.pk}-rangering": "1", f"r{w.app_review.pk}-foreslatt_belop": "1"},
    "grants:information_case": lambda w: {"tekst": "Et spørsmål om saken."},
    "grants:information_request": lambda w: {"melding": "Send et oppdatert budsjett.", "frist": "2026-02-20"},
    "grants:information_answer": lambda w: {"svar": "Budsjettet er oppdatert."},
    "projects:project_phase": lambda w: {"fase": "kompetanseheving", "fra_dato": TODAY, "begrunnelse": "Neste fase."},
    "projects:project_listing": lambda w: {"vis": "ja"},
    "projects:service_end": lambda w: {"dato": TODAY},
    "projects:contact_remove": lambda w: {},
    "projects:partner_end": lambda w: {"dato": TODAY},
    "projects:output_delete": lambda w: {},
    "projects:postponement_decide": lambda w: {"utfall": "innvilget", "svar": ""},
    "projects:change_decide": lambda w: {"utfall": "godkjent", "svar": ""},
    "projects:change_create": lambda w: {"type": "innhold", "beskrivelse": "Vi endrer rekkefølgen på samlingene."},
    "projects:report_review": lambda w: {"utfall": "godkjent", "kommentar": "Fint."},
    "reporting:annual_create": lambda w: {"aar": "2024"},
    "reporting:annual_detail": lambda w: {"vurdering": "Endret av en annen.", "handling": "lagre"},
    "reporting:annual_comment": lambda w: {"tekst": "En kommentar."},
    "reporting:annual_reopen": lambda w: {"begrunnelse": "Åpnes igjen."},
    "api:token_list": lambda w: {"navn": "Ny nøkkel"},
}

# --- the table ------------------------------------------------------------------------------------------------
# Column order: anon svc_other svc_leader svc_staff sf_other sf sf_leader bufdir partner

E = Expect
PUBLIC_ALLAUTH = "allauth's account page for visitors who are not logged in (login, reset, e-mail confirmation)"

EXPECTED.update(
    {
        # start page, invitations, role switch (accounts/)
        "home": E("L O O O O O O O O"),
        "invitation_list": E("L O O D O O O O D", method="both", note="service leaders invite to their own service"),
        "invitation_revoke": E("L H O H H O O D H", method="post", note="Bufdir sees it, may not revoke it"),
        "accept_invitation": E(
            "O O O O O O O O O",
            method="both",
            public="the invitation link itself is the credential (hashed token, single use, expires)",
            note="a logged-in user with another e-mail gets the 'log out first' page",
        ),
        "switch_role": E("L O O O O O O O O", method="post", note="only roles the user holds; others give a message"),
        # the user's own personal data (privacy/)
        "privacy_overview": E("L O O O O O O O O", note="the user's own personal data"),
        "privacy_export": E("L O O O O O O O O", method="post", note="the user's own personal data"),
        # organisations/
        "organisations:embete_list": E("L D D D O O O O D"),
        "organisations:embete_detail": E("L H H H H O O O H"),
        "organisations:kommune_list": E("L O O O O O O O O"),
        "organisations:kommune_maalform": E("L D D D D O O D D", method="both", note="kommuner are public data: 403"),
        "organisations:service_list": E("L O O O O O O O D", note="services see their own row; partners none"),
        "organisations:service_create": E("L D D D O O O D D", method="both"),
        "organisations:service_import": E("L D D D O O O D D", method="both"),
        "organisations:service_export": E("L D D D O O O O D"),
        "organisations:service_detail": E("L H O O H O O O H"),
        "organisations:service_update": E("L H D D H O O D H", method="both"),
        "organisations:partner_list": E("L O O O O O O O O"),
        "organisations:partner_create": E("L D D D O O O O D", method="both"),
        "organisations:partner_update": E("L D D D O O O O D", method="both", note="the partner catalogue is public"),
        # networks/ (the catalogue is open to every role, so existing networks answer 403, not 404)
        "networks:list": E("L O O O O O O O O"),
        "networks:coverage": E("L O O O O O O O O"),
        "networks:register": E("L O O O O O O O O"),
        "networks:export": E("L O O O O O O O O", note="exports only what the user may see"),
        "networks:create": E("L D D D O O O D D", method="both", note="sf_other creates in its own embete"),
        "networks:detail": E("L O O O O O O O O", note="internal parts only for those taking part"),
        "networks:update": E("L D D D D O O D D", method="both"),
        "networks:status": E("L D D D D O O D D", method="post"),
        "networks:invite": E("L D D D D O O D D", method="both"),
        "networks:request_join": E(
            "L O O D D D D D D", method="both", note="any service leader in the embete; members get a message"
        ),
        "networks:person_add": E("L D O D D O O D D", method="both", note="a member's leader names its participants"),
        "networks:partner_add": E("L D D D D O O D D", method="both"),
        "networks:oppvekst_add": E("L D D D D O O D D", method="both"),
        "networks:document_upload": E("L D D D D O O D D", method="both"),
        "networks:gathering_create": E("L D D D D O O D D", method="both"),
        "networks:membership_respond": E("L D O D D D D D D", method="post", note="only the invited service's leader"),
        "networks:membership_decide": E("L D D D D O O D D", method="post"),
        "networks:membership_leave": E("L D O D D O O D D", method="both"),
        "networks:person_end": E("L D O D D O O D D", method="post", note="the leader ends its own contact person"),
        "networks:partner_end": E("L D D D D O O D D", method="post"),
        "networks:document_download": E("L H O O H O O O O", note="internal: Bufdir, the embete, members, partners"),
        # grants/ (rounds and applications outside the user's scope are 404; drafts only for the applicants)
        "grants:round_list": E("L O O O O O O O O", note="scoped list: partners see none"),
        "grants:round_detail": E("L O O O H O O O H", note="published round: services in the embete see it"),
        "grants:application_detail": E("L H O O H O O O H"),
        "grants:decision_letter": E("L H O O H O O O H"),
        "grants:attachment_download": E("L H O O H O O O H"),
        "grants:frames": E("L D D D O O O O D", note="sf_other sees its own embete's frames"),
        "grants:frame_set": E("L D D D D D D O D", method="both"),
        "grants:round_create": E("L D D D O O O D D", method="both"),
        "grants:round_update": E("L H H H H O O D H", method="both", note="a draft round: hidden from services"),
        "grants:round_publish": E("L H H H H O O D H", method="post"),
        "grants:round_publish_confirm": E("L H H H H O O D H", note="the confirmation before publishing"),
        "grants:decide_confirm": E("L H D D H O O D H", method="post", note="shows the decision before it is made"),
        "grants:attachment_remove": E("L H O O H H H H H", method="post", note="a draft's attachment: applicants"),
        "grants:draft_delete": E("L H O O H H H H H", method="both", note="a draft: only the applicants see it"),
        "grants:application_create": E("L O O O H D D D H", method="both", note="any service in the embete"),
        "grants:application_edit": E("L H O O H H H H H", method="both", note="a draft: only the applicants see it"),
        "grants:application_autosave": E("L H O O H H H H H", method="post"),
        "grants:application_attachment": E("L H O O H H H H H", method="both"),
        "grants:application_submit": E("L H O O H H H H H", method="both"),
        "grants:application_receipt": E("L H O O H O O O H"),
        "grants:application_withdraw": E("L H O D H D D D H", method="both", note="only the applying leader"),
        "grants:application_versions": E("L H O O H O O O H"),
        "grants:application_version": E("L H O O H O O O H", note="a locked version: whoever reads the application"),
        "grants:application_version_compare": E("L H O O H O O O H", note="version 1: nothing before it, says so"),
        "grants:application_list": E("L D D D O O O O D"),
        "grants:assign_officer": E("L H D D H O O D H", method="post"),
        "grants:impartiality": E("L H D D H O O D H", method="post"),
        "grants:score": E("L H D D H O O D H", method="post"),
        "grants:recommend": E("L H D D H O O D H", method="post"),
        "grants:decide": E("L H D D H O O D H", method="post"),
        "grants:register_payment": E("L H D D H O O D H", method="post"),
        "grants:repayment_claim": E("L H D D H O O D H", method="post"),
        "grants:claim_list": E("L D D D O O O O D", note="the statsforvalter's own embete's claims; Bufdir all"),
        "grants:claim_detail": E("L H O O H O O O H", note="whoever sees the application sees its claims"),
        "grants:claim_letter": E("L H O O H O O O H"),
        "grants:claim_receipt": E("L H D D H O O D H", method="post"),
        "grants:claim_waive": E("L H D D H O O D H", method="post"),
        "grants:carry_over": E("L H D D H O O D H", method="post"),
        "grants:appeal_create": E("L H O D H D D D H", method="post", note="only the applying leader"),
        "grants:board_update": E("L H D D H O O D H", method="post"),
        "grants:resolve_appeal": E("L H D D H O O D H", method="post"),
        # Bufdir is the klageinstans (grants.appeals): its queue and case pages are Bufdir's only
        "grants:appeal_queue": E("L D D D D D D O D", note="Bufdir's queue of forwarded appeals"),
        "grants:appeal_case": E("L H D D H D D O H", note="the case papers, for Bufdir (404 outside the scope)"),
        "grants:appeal_decide": E("L H D D H D D O H", method="post", note="the world's appeal is not forwarded: 400"),
        "grants:appeal_letter": E("L H O O H O O O H", note="whoever reads the application"),
        "grants:board": E("L D D D H O O O H", note="Bufdir reads the board; services see the round, not the board"),
        "grants:round_letters": E("L D D D H O O D H", method="post"),
        "grants:round_letters_progress": E("L D D D H O O D H"),
        # requests for information and case messages (grants.information): Bufdir reads the dialogue, writes nothing
        "grants:information_open": E("L D D D O O O O D", note="statsforvalter (own embete) and Bufdir"),
        "grants:information_case": E("L H O O H O O O H", method="both", post="L H O O H O O D H"),
        "grants:information_request": E("L H D D H O O D H", method="both"),
        "grants:information_answer": E("L H O O H D D D H", method="both", note="the applicants, while it waits"),
        # projects/ (a project the user may not read is 404; one the user reads but may not change is 403)
        "projects:project_list": E("L O O O O O O O D", note="scoped list"),
        "projects:project_detail": E("L H O O H O O O O"),
        "projects:project_edit": E("L H O D H O O D D", method="both"),
        "projects:project_phase": E("L H O D H O O D D", method="both"),
        "projects:project_listing": E("L H D D H O O D D", method="post"),
        "projects:service_add": E("L H O D H O O D D", method="both"),
        "projects:service_end": E("L H O D H O O D D", method="post"),
        "projects:project_leader": E("L H O D H O O D D", method="both"),
        "projects:contact_add": E("L H O D H O O D D", method="both"),
        "projects:contact_remove": E("L H O D H O O D D", method="post"),
        "projects:partner_add": E("L H O D H O O D D", method="both"),
        "projects:partner_end": E("L H O D H O O D D", method="post"),
        "projects:output_create": E("L H O O H O O D D", method="both", note="colleagues add outputs"),
        "projects:output_edit": E("L H O O H O O D D", method="both"),
        "projects:output_delete": E("L H O D H O O D D", method="post", note="the creator or an editor"),
        "projects:output_file": E("L H O O H O O O O", note="project not listed in the knowledge bank"),
        "projects:knowledge_bank": E("L O O O O O O O O"),
        "projects:knowledge_bank_detail": E("L O O O O O O O O", note="a listed project"),
        "projects:requirement_list": E("L O O O O O O O O", note="scoped list"),
        "projects:requirement_detail": E("L H O O H O O O H"),
        "projects:postponement_request": E("L H O O H D D D H", method="both"),
        "projects:postponement_decide": E("L H D D H O O D H", method="both"),
        "projects:change_list": E("L O O O O O O O O", note="scoped list (endringsmeldinger)"),
        "projects:change_detail": E("L H O O H O O O H", note="whoever sees the application"),
        "projects:change_decide": E("L H D D H O O D H", method="both", note="the grant's statsforvalter"),
        "projects:application_changes": E("L H O O H O O O H", note="whoever sees the application"),
        "projects:change_create": E("L H O O H D D D H", method="both", note="users of the applying services"),
        "projects:report_list": E("L O O O O O O O O", note="scoped list"),
        "projects:report_edit": E("L H O O H D D D H", method="both", note="the draft itself stays hidden: 403"),
        "projects:report_detail": E("L H O O H O O O H", note="a submitted report"),
        "projects:report_autosave": E("L H O O H H H H H", method="post", note="a draft report"),
        "projects:report_review": E("L H D D H O O D H", method="both"),
        # reporting/
        "reporting:national_summary": E("L D D D O O O O D", note="sf_other: its own rows"),
        "reporting:national_export": E("L D D D O O O O D", note="sf_other: its own rows"),
        "reporting:annual_list": E("L D D D O O O O D"),
        "reporting:annual_create": E("L D D D O O O D D", method="post", note="for the user's own embete"),
        "reporting:annual_detail": E(
            "L H H H H O O O H",
            method="both",
            post="L H H H H O O D H",
            note="Bufdir reads every annual report (also drafts, see the note in docs/security.md)",
        ),
        "reporting:annual_comment": E("L H H H H O O D H", method="post"),
        "reporting:annual_reopen": E("L H H H H D D O H", method="post"),
        "reporting:annual_pdf": E("L H H H H O O O H"),
        "reporting:annual_xlsx": E("L H H H H O O O H"),
        "reporting:allocations_upload": E("L D D D D D D O D", method="both"),
        "reporting:allocations_preview": E("L D D D D D D O D", note="only the Bufdir user who uploaded the file"),
        "reporting:allocations_confirm": E("L D D D D D D O D", method="post"),
        "reporting:allocations_cancel": E("L D D D D D D O D", method="post"),
        "reporting:allocations_status": E("L D D D D D D O D"),
        "reporting:allocations_status_json": E("L D D D D D D O D"),
        # api/ (anonymous: 401 with WWW-Authenticate: Bearer)
        "api:summary": E("L D D D O O O O D"),
        "api:awards": E("L D D D O O O O D"),
        "api:figures": E("L D D D O O O O D", note="sf_other: its own rows"),
        "api:schema": E("O O O O O O O O O", public="the OpenAPI description (docs/api.md); no data"),
        "api:token_list": E("L D D D O O O O D", method="both"),
        "api:token_revoke": E("L H H H H O H H H", method="both", note="only the key's owner (sf)"),
        # allauth under /konto/
        "account_login": E("O O O O O O O O O", public="the login page"),
        "account_logout": E("L O O O O O O O O"),
        "account_inactive": E("O O O O O O O O O", public="static page: the account is inactive"),
        "account_signup": E("O O O O O O O O O", public="shows «Registrering stengt» (is_open_for_signup False)"),
        "account_reauthenticate": E("L O O O O O O O O"),
        "account_email": E("L O O O O O O O O"),
        "account_email_verification_sent": E("O O O O O O O O O", public="static page: check your e-mail"),
        "account_change_password": E("L O O O O O O O O"),
        "account_set_password": E("L O O O O O O O O"),
        "account_reset_password": E("O O O O O O O O O", public=PUBLIC_ALLAUTH + "; rate limited"),
        "account_confirm_login_code": E("L O O O O O O O O"),
        # allauth 65.22: reauthentication by an e-mailed code, switched off (ACCOUNT_REAUTHENTICATION_METHODS): 403
        "account_request_reauthentication_code": E("L D D D D D D D D", note="reauthentication by code is off"),
        "account_confirm_reauthentication_code": E("L D D D D D D D D", note="reauthentication by code is off"),
        "account_confirm_email": E("O O O O O O O O O", public=PUBLIC_ALLAUTH),
        "account_reset_password_from_key_done": E("O O O O O O O O O", public=PUBLIC_ALLAUTH),
        "account_reset_password_from_key": E("O O O O O O O O O", public=PUBLIC_ALLAUTH + "; the key is checked"),
        "account_reset_password_done": E("O O O O O O O O O", public=PUBLIC_ALLAUTH),
        "mfa_index": E("L O O O O O O O O"),
        "mfa_authenticate": E("L O O O O O O O O"),
        "mfa_reauthenticate": E("L O O O O O O O O"),
        "mfa_activate_totp": E("L O O O O O O O O"),
        "mfa_deactivate_totp": E("L H H H O O O O H", note="404 without an authenticator (staff have one)"),
        "mfa_view_recovery_codes": E("L H H H H H H H H", note="404: nobody in the world has recovery codes"),
        "mfa_generate_recovery_codes": E("L O O O O O O O O"),
        "mfa_download_recovery_codes": E("L H H H H H H H H", note="404: nobody in the world has recovery codes"),
        "socialaccount_login_cancelled": E("O O O O O O O O O", public="static page: OIDC login cancelled"),
        "socialaccount_login_error": E("L L L L L L L L L", note="no pending OIDC login: back to the login page"),
        "socialaccount_signup": E("L L L L L L L L L", note="no pending OIDC login: back to the login page"),
        "socialaccount_connections": E("L O O O O O O O O"),
        "route:konto/social/login/cancelled/": E("O O O O O O O O O", follow=True, public="alias of the above"),
        "route:konto/social/login/error/": E("L L L L L L L L L", follow=True, note="alias"),
        "route:konto/social/signup/": E("L L L L L L L L L", follow=True, note="alias"),
        "route:konto/social/connections/": E("L O O O O O O O O", follow=True, note="alias"),
        "openid_connect_login": E("H H H H H H H H H", note="OIDC is off unless OIDC_CLIENT_ID is set (docs/oidc.md)"),
        "openid_connect_callback": E("H H H H H H H H H", note="OIDC is off unless OIDC_CLIENT_ID is set"),
        # i18n, health
        "set_language": E("O O O O O O O O O", public="language choice (a cookie)"),
        "healthz": E(
            "O O O O O O O O O",
            public="load balancer health check; answers {'status': 'ok'} only. ?deep=1 (a Celery round trip, "
            "bin/smoke) needs the X-Healthz-Token header (HEALTHZ_TOKEN) and is refused before any work without it",
        ),
        # admin: see RULES for the rest
        "admin:login": E("L D D D D D D D D", note="through allauth (TOTP, rate limits): finding F3, fixed"),
        "admin:logout": E("L L L L L L L L L", follow=True, note="non-staff are sent to the admin index, then login"),
    }
)

RULES.extend(
    [
        # Every other admin URL is wrapped by AdminSite.admin_view (active staff only); no role is staff.
        ("admin:", E("L L L L L L L L L", note="AdminSite.admin_view: is_active and is_staff")),
        ("route:admin/", E("L L L L L L L L L", note="admin object aliases and the catch-all, also behind admin_view")),
    ]
)
