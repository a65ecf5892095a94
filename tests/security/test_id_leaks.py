"""Object ids do not leak existence across embeter or services (issue 8): for every URL that takes an object
parameter, an outsider gets the same answer for an existing object they may not see as for an id that does not
exist.

Ids are sequential database keys (AutoField), so they are easy to guess; what makes that harmless is that the
answer is the same 404 for "exists, but not yours" and "does not exist". 403 is only given where the object is
visible to the user anyway: the object is public to every role (PUBLIC_EXISTENCE below says why), or it is in the
user's own scope (the matrix's D cells for the right service, the right embete and Bufdir).

Outsiders: the statsforvalter of another embete (Agder), the leader of another service in the same embete
(Sogndal), and the leader of a service in the other embete (Kristiansand).
"""

import uuid

import pytest
from django.urls import reverse

from .access_matrix import DENY, EXPECTED, KWARGS, OK, entry_for
from .conftest import client_for
from .test_access_matrix import classify

# URLs whose object is visible to every logged-in role, so a 403 for an existing one tells nothing new.
PUBLIC_EXISTENCE = {
    "organisations:kommune_maalform": "kommuner are public reference data (kommune_list)",
    "organisations:partner_update": "the partner catalogue is public (partner_list)",
    "networks:update": "the network catalogue is open to every role (networks:list)",
    "networks:status": "the network catalogue is open to every role",
    "networks:invite": "the network catalogue is open to every role",
    "networks:request_join": "the network catalogue is open to every role",
    "networks:person_add": "the network catalogue is open to every role",
    "networks:partner_add": "the network catalogue is open to every role",
    "networks:oppvekst_add": "the network catalogue is open to every role",
    "networks:document_upload": "the network catalogue is open to every role",
    "networks:gathering_create": "the network catalogue is open to every role",
    "networks:membership_respond": "memberships are public (networks:register, «hvem deltar hvor»)",
    "networks:membership_decide": "memberships are public (networks:register)",
    "networks:membership_leave": "memberships are public (networks:register)",
    "networks:person_end": "people and their roles are listed on the public network page (e-mail is internal)",
    "networks:partner_end": "a network's partners are listed on the public network page",
    "accept_invitation": "the token is the credential (single use, hashed, expires); it is not an id",
}
# URLs that refuse the role before they look the object up: 403 for any id, existing or not (the dynamic test
# below checks that it is really the same answer).
ROLE_FIRST = {
    "reporting:allocations_preview": "only Bufdir imports; checked before the import id is looked up",
    "reporting:allocations_confirm": "only Bufdir imports; checked before the import id is looked up",
    "reporting:allocations_cancel": "only Bufdir imports; checked before the import id is looked up",
    "reporting:allocations_status": "only Bufdir imports; checked before the import id is looked up",
    "reporting:allocations_status_json": "only Bufdir imports; checked before the import id is looked up",
}
# Published rounds are visible to every service in the embete: Sogndal sees Vestland's round (board: 403).
PUBLIC_FOR = {("grants:board", "svc_other"), ("grants:round_letters", "svc_other")}
PUBLIC_FOR |= {("grants:round_letters_progress", "svc_other")}

OUTSIDERS = ("sf_other", "svc_other", "agder_leader")
MISSING_PK = 987_654_321


def missing_kwargs(kwargs: dict) -> dict:
    out = {}
    for name, value in kwargs.items():
        if name == "pk":
            out[name] = MISSING_PK
        elif name == "import_id":
            out[name] = uuid.uuid4().hex
        elif name == "token":
            out[name] = "finnes-ikke-" + uuid.uuid4().hex
        elif name == "slug":
            out[name] = "finnes-ikke"
        elif name == "nummer":
            out[name] = "9999"
        else:
            out[name] = value  # a format or a category, not an object
    return out


OBJECT_PARAMS = {"pk", "import_id", "token", "slug", "nummer"}


def object_urls(w) -> list[str]:
    return [key for key in KWARGS if key in EXPECTED and OBJECT_PARAMS & set(KWARGS[key](w))]


def request(w, who: str, key: str, kwargs: dict):
    expect = entry_for(key)
    client = client_for(w, who)
    path = reverse(key, kwargs=kwargs)
    if expect.method == "post":
        return client.post(path, {})
    return client.get(path)


@pytest.mark.parametrize("who", OUTSIDERS)
def test_existing_and_missing_objects_answer_alike(w, who):
    leaks, compared = [], 0
    for key in object_urls(w):
        kwargs = KWARGS[key](w)
        existing = classify(request(w, who, key, kwargs))
        if existing == OK or key in PUBLIC_EXISTENCE or (key, who) in PUBLIC_FOR:
            continue  # allowed, or the object is visible to this user anyway
        missing = classify(request(w, who, key, missing_kwargs(kwargs)))
        compared += 1
        if existing != missing:
            leaks.append(f"{key}: existing → {existing}, missing → {missing}")
    assert not leaks, f"{who} can tell which ids exist:\n" + "\n".join(leaks)
    assert compared >= 50, f"only {compared} object URLs were compared for {who}"


def test_the_table_only_gives_403_for_objects_the_user_can_see(w):
    """A static check of the declared matrix: the outsider columns give 404 for object URLs, never 403, except
    where the object is public (PUBLIC_EXISTENCE / PUBLIC_FOR) or the role is refused before any lookup."""
    wrong = []
    for key in object_urls(w):
        row = EXPECTED[key].post_row() or EXPECTED[key].get_row()
        for role in ("sf_other", "svc_other"):
            public = key in PUBLIC_EXISTENCE or key in ROLE_FIRST or (key, role) in PUBLIC_FOR
            if row[role] == DENY and not public:
                wrong.append(f"{key} [{role}]")
    assert not wrong, "403 for an object outside the user's scope (leaks existence): " + ", ".join(wrong)


def test_a_project_outside_the_scope_is_404_like_a_missing_one(w):
    """Regression (fixed here): projects answered 403 for an existing project of another embete and 404 for a
    missing id, so a statsforvalter could count another embete's projects by walking the ids."""
    for who in ("sf_other", "svc_other", "agder_leader"):
        client = client_for(w, who)
        for name, pk in (
            ("projects:project_detail", w.project.pk),
            ("projects:project_edit", w.project.pk),
            ("projects:output_file", w.output.pk),
            ("projects:output_edit", w.output.pk),
        ):
            assert client.get(reverse(name, args=[pk])).status_code == 404, (name, who)
            assert client.get(reverse(name, args=[MISSING_PK])).status_code == 404, (name, who)
        for name, pk in (
            ("projects:service_end", w.project_service.pk),
            ("projects:contact_remove", w.contact.pk),
            ("projects:partner_end", w.project_partner.pk),
        ):
            assert client.post(reverse(name, args=[pk]), {"dato": "2026-02-02"}).status_code == 404, (name, who)
    # Someone who may read the project but not change it still gets 403.
    client = client_for(w, "svc_staff")
    assert client.get(reverse("projects:project_edit", args=[w.project.pk])).status_code == 403


def test_ending_a_network_person_or_partner_is_refused_before_the_form_is_read(w):
    """Regression (fixed here): person_end/partner_end parsed the date before asking for permission, so an
    outsider posting no date got a redirect with a form message instead of 403."""
    for who in ("sf_other", "svc_other", "svc_staff", "bufdir", "partner"):
        client = client_for(w, who)
        for name, pk in (("networks:person_end", w.person.pk), ("networks:partner_end", w.network_partner.pk)):
            assert client.post(reverse(name, args=[pk]), {}).status_code == 403, (name, who)
    # The leader of the person's service may end its own contact person, as the service allows.
    response = client_for(w, "svc_leader").post(reverse("networks:person_end", args=[w.person.pk]), {"dato": "x"})
    assert response.status_code == 302
