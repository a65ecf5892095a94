import time
import pytest
from django.urls import reverse
from .conftest import client_for
from grants.letters import render_decision_letter

@pytest.mark.parametrize("i", range(3))
def test_probe(w, i):
    t = time.perf_counter()
    c = client_for(w, "sf")
    r = c.post(reverse("reporting:annual_detail", args=[w.annual.pk]), {"vurdering": "<b>x", "utfordringer": "<font color=red>x</font> <img src=\"/etc/passwd\"/> <b>", "planer": "=HYPERLINK(\"http://x\")", "kommentarer": ""})
    print("annual post", r.status_code, time.perf_counter() - t)
    t = time.perf_counter()
    r = client_for(w, "sf").get(reverse("reporting:annual_xlsx", args=[w.annual.pk]))
    print("xlsx", r.status_code, time.perf_counter() - t)
    t = time.perf_counter()
    r = client_for(w, "sf").get(reverse("reporting:annual_pdf", args=[w.annual.pk]))
    print("pdf", r.status_code, time.perf_counter() - t)
    t = time.perf_counter()
    r = client_for(w, "sf").post(reverse("grants:decide", args=[w.app_review.pk]), {"vedtak-utfall": "avslatt", "vedtak-begrunnelse": "<font color=red>Nei</font> <img src=\"/etc/passwd\"/>", "vedtak-vilkaar": "", "vedtak-rapportfrist": ""})
    print("decide", r.status_code, time.perf_counter() - t)
    w.app_review.refresh_from_db()
    t = time.perf_counter()
    pdf = render_decision_letter(w.app_review.vedtak)
    print("letter", len(pdf), time.perf_counter() - t)
    t = time.perf_counter()
    r = client_for(w, "sf").post(reverse("networks:update", args=[w.network.pk]), {"navn": "<script>alert(1)</script>", "etablert_aar": 2022, "orientering": "begge"})
    print("net update", r.status_code, time.perf_counter() - t)
