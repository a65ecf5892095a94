"""Locust clients for the load test (issue 8). Started by bench/load/run.py, which sets LOADTEST_PLAN (the
users and ids from plan.py) and LOADTEST_TALLY (where the clients' record of their writes goes):

    locust -f bench/load/locustfile.py --headless -u 50 -r 10 -t 5m -s 30 --host http://127.0.0.1:8766

Two kinds of users, each logged in through the real login form with its own account and its own loopback
source address (127.0.1.x, so the per-IP login limit sees 50 people, not one):

- ServiceUser (tjenesteleder/medarbeider): reads the start page, the round list, the round with the service's
  applications, the network directory, the knowledge bank and their own applications; writes: creates drafts
  through «Søk», edits them (the form or the autosave endpoint, as the page's script does), submits them.
- CaseworkerUser (statsforvalter saksbehandler/leder, fixed count from the plan): reads the application list,
  the prioritisation board and applications; writes: sets itself as case officer, declares impartiality,
  recommends and decides (innvilget, delvis innvilget, avslått) through the panel's forms.

Every form is read from the page and posted back as a browser would (htmlforms.py): CSRF token, formset
management fields, pre-filled values, plus what the person types. Each write is recorded with the object and
what the client saw: OK (the redirect or JSON the view gives on success), refused (the view re-shows the form
with a Norwegian message: business rule, e.g. the frame is used up or someone else decided first) or failed
(5xx or no answer). Business refusals count as successful requests in locust's figures; 5xx, connection errors
and unexpected statuses are failures."""

import itertools
import json
import os
import random
import re
import time
from collections import Counter
from pathlib import Path

import htmlforms
import steps
from locust import HttpUser, between, events, task
from locust.clients import LocustHttpAdapter
from locust.exception import StopUser
from urllib3 import PoolManager

PLAN = json.loads(Path(os.environ["LOADTEST_PLAN"]).read_text(encoding="utf-8"))
TALLY_PATH = os.environ.get("LOADTEST_TALLY", "")
RUN_TAG = os.environ.get("LOADTEST_TAG", time.strftime("%H%M%S"))
TIMEOUT = 60

TALLY: dict = {
    "writes": [],  # {"kind", "ok", "app", "user_id", ..., "status", "reason"}
    "refusals": Counter(),  # "kind: reason" -> n (business refusals, and «not ready to submit» pages)
    "server_errors": [],  # {"method", "name", "status", "error"}
    "unexpected": [],  # 4xx no user should get
    "logins": 0,
}
_POOLS = {"service": iter(PLAN["service_users"]), "staff": iter(PLAN["staff_users"])}
_ADDRESSES = itertools.count()


def save_tally(**_kwargs) -> None:
    if TALLY_PATH:
        data = {**TALLY, "refusals": dict(TALLY["refusals"])}
        Path(TALLY_PATH).write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")


events.test_stop.add_listener(save_tally)
events.quitting.add_listener(save_tally)


class Browser(HttpUser):
    abstract = True
    pool = ""
    wait_time = between(1, 3)

    def on_start(self) -> None:
        try:
            self.who = next(_POOLS[self.pool])
        except StopIteration:
            raise StopUser() from None
        self.rng = random.Random()
        n = next(_ADDRESSES)
        address = f"127.0.{1 + n // 250}.{1 + n % 250}"
        self.client.mount("http://", LocustHttpAdapter(pool_manager=PoolManager(source_address=(address, 0))))
        # One connection per request, as nginx talks to gunicorn in docs/deploy.md (no upstream keep-alive). A
        # client holding idle keep-alive connections straight to gunicorn races its 2 s keep-alive timeout: the
        # server closes just as the client reuses the socket (connection reset, the request never reaches Django).
        # Browsers retry that; behind nginx it cannot happen.
        self.client.headers["Connection"] = "close"
        page = self.get("/konto/login/")
        form = steps.fill_login(htmlforms.form_for(page.text, field="password"), self.who["email"], PLAN["password"])
        r = self.post(form.action or "/konto/login/", form.pairs(), "/konto/login/", "/konto/login/")
        if r.status_code != 302 or "sessionid" not in self.client.cookies:
            TALLY["unexpected"].append({"method": "POST", "name": "/konto/login/", "status": r.status_code})
            raise StopUser()
        TALLY["logins"] += 1

    # --- HTTP ------------------------------------------------------------------------------------

    def _check(self, r, method: str, name: str, ok: tuple, refused: tuple):
        status = r.status_code
        if status == 0 or status >= 500:
            r.failure(f"serverfeil {status}: {r.error}")
            TALLY["server_errors"].append({"method": method, "name": name, "status": status, "error": str(r.error)})
        elif status in ok or status in refused:
            r.success()
        else:
            r.failure(f"uventet status {status}")
            TALLY["unexpected"].append({"method": method, "name": name, "status": status, "user": self.who["email"]})
        return r

    def get(self, path: str, name: str | None = None):
        with self.client.get(path, name=name or path, catch_response=True, timeout=TIMEOUT) as r:
            return self._check(r, "GET", name or path, (200,), ())

    def post(self, path: str, pairs, name: str, referer: str, *, ok=(302,), refused=(200, 400), multipart=False):
        """A form post as the browser sends it (Origin and Referer for CSRF); redirects are not followed, so the
        write's own answer is what counts."""
        headers = {"Origin": self.host, "Referer": self.host + referer}
        kwargs = {"files": [(k, (None, v)) for k, v in pairs]} if multipart else {"data": pairs}
        if multipart:
            headers.update({"X-Requested-With": "XMLHttpRequest", "Accept": "application/json"})
        with self.client.post(
            path, name=name, headers=headers, allow_redirects=False, catch_response=True, timeout=TIMEOUT, **kwargs
        ) as r:
            return self._check(r, "POST", name, ok, refused)

    def record(self, kind: str, r, ok: bool, **fields) -> None:
        """One write as the client saw it. Refused and failed writes are recorded too: verify checks they left no
        trace. A 5xx or lost connection is also counted as a server error (in _check)."""
        event = {"kind": kind, "ok": ok, "user_id": self.who["user_id"], "status": r.status_code, **fields}
        if not ok and r.status_code and r.status_code < 500:
            event["reason"] = steps.refusal_reason(r.text or "")
            TALLY["refusals"][f"{kind}: {event['reason']}"] += 1
        TALLY["writes"].append(event)


class ServiceUser(Browser):
    pool = "service"
    weight = 1

    def on_start(self) -> None:
        super().on_start()
        self.round = self.who["round_id"]
        self.drafts: dict[int, dict] = {}  # pk -> {"kategori", "saves"}
        self.mine: list[int] = []
        self.n = 0

    @task(3)
    def start_page(self):
        self.get("/")

    @task(1)
    def round_list(self):
        self.get("/midler/utlysninger/")

    @task(2)
    def my_applications(self):
        """The round page lists the service's own applications."""
        self.get(f"/midler/utlysninger/{self.round}/", "/midler/utlysninger/[id]/")

    @task(2)
    def network_directory(self):
        self.get("/nettverk/")

    @task(2)
    def knowledge_bank(self):
        word = self.rng.choice(["", "fosterhjem", "veiledning", "rutine", "samarbeid"])
        self.get(f"/prosjekter/kunnskapsbank/?q={word}", "/prosjekter/kunnskapsbank/?q=…")

    @task(2)
    def application(self):
        if self.mine:
            self.get(f"/midler/soknader/{self.rng.choice(self.mine)}/", "/midler/soknader/[id]/")

    @task(3)
    def create_draft(self):
        if len(self.drafts) >= 2:
            return self.edit_draft()
        path = f"/midler/utlysninger/{self.round}/sok/"
        page = self.get(path, "/midler/utlysninger/[id]/sok/")
        form = page.status_code == 200 and htmlforms.form_for(page.text, field="prosjektnavn")
        if not form:
            return
        self.n += 1
        name = f"Lasttest {RUN_TAG} {self.who['user_id']}-{self.n}"
        kategori = steps.fill_create(form, name, self.who["networks"], self.rng)
        r = self.post(path, form.pairs(), "/midler/utlysninger/[id]/sok/ (opprett utkast)", path)
        match = re.fullmatch(r"/midler/soknader/(\d+)/endre/", r.headers.get("Location", ""))
        if r.status_code == 302 and match:
            pk = int(match.group(1))
            self.drafts[pk] = {"kategori": kategori, "saves": 0}
            self.mine.append(pk)
            self.record("utkast", r, True, app=pk, prosjekt=name)
        else:
            self.record("utkast", r, False, prosjekt=name)

    @task(5)
    def edit_draft(self):
        if not self.drafts:
            return
        pk = self.rng.choice(list(self.drafts))
        draft = self.drafts[pk]
        path = f"/midler/soknader/{pk}/endre/"
        page = self.get(path, "/midler/soknader/[id]/endre/")
        form = page.status_code == 200 and htmlforms.form_for(page.text, field="maal")
        if not form:
            return
        self.n += 1
        marker = f"LT-{self.who['user_id']}-{pk}-{self.n}"
        steps.fill_draft(
            form, kategori=draft["kategori"], marker=marker, knowledge_partners=PLAN["knowledge_partners"], rng=self.rng
        )
        if self.rng.random() < 0.5:  # what the page's autosave script sends: the same form, multipart, JSON back
            url = f"/midler/soknader/{pk}/autolagre/"
            r = self.post(
                url,
                form.pairs(),
                "/midler/soknader/[id]/autolagre/",
                path,
                ok=(200,),
                refused=(400, 403),
                multipart=True,
            )
            saved = r.status_code == 200 and '"saved": true' in r.text
            self.record("autolagre", r, saved, app=pk, marker=marker)
        else:
            r = self.post(path, form.pairs(), "/midler/soknader/[id]/endre/ (lagre)", path)
            saved = r.status_code == 302 and r.headers.get("Location") == path
            self.record("lagre", r, saved, app=pk, marker=marker)
        draft["saves"] += saved  # a refused save's tag is never reused: verify checks it left no trace

    @task(3)
    def submit(self):
        ready = [pk for pk, d in self.drafts.items() if d["saves"] > 0]
        if not ready:
            return self.edit_draft()
        pk = self.rng.choice(ready)
        path = f"/midler/soknader/{pk}/send-inn/"
        page = self.get(path, "/midler/soknader/[id]/send-inn/")
        form = page.status_code == 200 and htmlforms.form_for(page.text, action="")
        if not steps.ready_to_submit(form):
            TALLY["refusals"]["send_inn: ikke klar (siden viser hva som mangler)"] += 1
            return
        r = self.post(path, form.pairs(), "/midler/soknader/[id]/send-inn/ (send inn)", path)
        if r.status_code == 302 and r.headers.get("Location") == f"/midler/soknader/{pk}/kvittering/":
            del self.drafts[pk]
            receipt = self.get(r.headers["Location"], "/midler/soknader/[id]/kvittering/")
            ref = steps.RECEIPT.search(receipt.text or "")
            self.record("send_inn", r, True, app=pk, referanse=ref.group(1) if ref else None)
        else:
            self.record("send_inn", r, False, app=pk)


class CaseworkerUser(Browser):
    pool = "staff"
    fixed_count = len(PLAN["staff_users"])

    def on_start(self) -> None:
        super().on_start()
        self.round = PLAN["rounds"][self.who["embete"]]
        self.seen: list[int] = []
        self.working: set[int] = set()  # applications I declared impartiality on and have not decided

    def listing(self, status: str) -> list[int]:
        page = self.get(f"/midler/soknader/?utlysning={self.round}&status={status}", "/midler/soknader/?utlysning=…")
        return steps.application_ids(page.text or "")

    @task(2)
    def start_page(self):
        self.get("/")

    @task(3)
    def application_list(self):
        self.seen = self.listing(self.rng.choice(["", "sendt_inn", "under_behandling", "innvilget"])) or self.seen

    @task(2)
    def board(self):
        kategori = self.rng.choice(["egeninitiert", "fosterhjem"])
        self.get(
            f"/midler/utlysninger/{self.round}/prioritering/{kategori}/", "/midler/utlysninger/[id]/prioritering/…"
        )

    @task(2)
    def read_application(self):
        if self.seen:
            self.get(f"/midler/soknader/{self.rng.choice(self.seen)}/", "/midler/soknader/[id]/")

    @task(8)
    def casework(self):
        """One step on one application, as far as the panel lets this person go."""
        pk = None
        if self.working and self.rng.random() < 0.7:
            pk = self.rng.choice(sorted(self.working))
        else:
            for status in self.rng.sample(["sendt_inn", "under_behandling"], 2):
                ids = self.listing(status)
                if ids:
                    pk = self.rng.choice(ids[:10])
                    break
        if pk is None:
            return
        detail = f"/midler/soknader/{pk}/"
        page = self.get(detail, "/midler/soknader/[id]/")
        step = page.status_code == 200 and steps.casework_step(page.text, pk, self.who["user_id"], self.rng, htmlforms)
        if not step:
            self.working.discard(pk)
            return
        kind, suffix, form, fields = step
        r = self.post(detail + suffix, form.pairs(), f"/midler/soknader/[id]/{suffix} ({kind})", detail, refused=(400,))
        ok = r.status_code == 302 and r.headers.get("Location", "").startswith(detail)
        self.record(kind, r, ok, app=pk, **fields)
        if kind == "habilitet" and ok:
            self.working.add(pk)
        elif kind == "vedtak":
            self.working.discard(pk)
