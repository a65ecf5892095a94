"""Money after the decision: a payment out (utbetaling) and a repayment claim (tilbakebetalingskrav) from the
application's panel, each with a confirmation that shows the amount and the kommune that receives the money or the
letter (and the letter's language); the list of claims (open, overdue, paid,
waived) for the statsforvalter and Bufdir; one claim with its receipts, its letter, and the statsforvalter's
forms to record a payment in (innbetaling) or waive the rest (ettergivelse), each confirmed before it is done.

Views are thin: they find the claim among those the user may see (404 otherwise), check the permission (403) and
call one service in grants.repayments; a refused action shows the service's message with everything typed kept.
A form posted without `bekreft` is checked by the service without writing and shown back on a confirmation page;
posted again with `bekreft` it is done; posted with `endre` it is shown again as a form, filled in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import has_permission, require
from common.money import kr
from ui.actions import apply_errors

from . import ledger, repayments, selectors, selectors_repayments, services
from .forms_repayments import ClaimForm, ReceiptForm, WaiverForm
from .forms_staff import PaymentForm
from .letters_claims import account_text, claim_filename
from .views_staff import application_context


def _date(day) -> str:
    return f"{day:%d.%m.%Y}"


# --- making a claim (from the application's panel) -------------------------------------------------


def _application_page(request, application, form, status=400):
    return _panel_page(request, application, "repayment", form, status)


@login_required
@require_POST
def claim_create(request, pk):
    """Step 1 (no `bekreft`): check and show what will happen. Step 2 (`bekreft`): make the claim; its letter is
    made and sent after commit."""
    application = selectors.application_detail(request.user, pk)
    if application is None:
        raise Http404
    require(request.user, "grants.assess", application)
    decision = getattr(application, "vedtak", None)
    if decision is None:
        raise Http404
    require(request.user, "grants.register_payment", decision)
    form = ClaimForm(request.POST)
    if "endre" in request.POST:
        form.is_valid()
        return _application_page(request, application, form, status=200)
    if not form.is_valid():
        return _application_page(request, application, form)
    data = form.cleaned_data
    args = {
        "belop": data["belop"],
        "begrunnelse": data["begrunnelse"],
        "forfall": data["forfall"],
        "kontonummer": data["kontonummer"] or None,  # empty: the embete's last account (shown before confirming)
    }
    try:
        if "bekreft" not in request.POST:
            check = repayments.check_claim(request.user, decision, **args)
            return _confirm_claim(request, application, form, check)
        claim = repayments.create_repayment_claim(request.user, decision, **args)
    except ValidationError as exc:
        apply_errors(form, exc)
        return _application_page(request, application, form)
    lead = selectors.lead_applicant(application)
    messages.success(
        request,
        _("Tilbakebetalingskravet er registrert. Brevet til %(k)s lages og sendes til søkerne.")
        % {"k": lead.vertskommune.navn if lead else "–"},
    )
    return redirect(reverse("grants:claim_detail", args=[claim.pk]))


def _confirm_claim(request, application, form, check):
    facts = [
        (_("Beløp som kreves tilbake"), kr(check.belop)),
        (_("Mottaker av brevet"), check.kommune.navn if check.kommune else "–"),
        (_("Ansvarlig søker"), check.lead.navn if check.lead else "–"),
        (_("Brevet skrives på"), check.language_label),
        (_("Kravdato"), _date(check.dato)),
        (_("Forfallsdato"), _date(check.forfall)),
        (
            _("Kontonummer kommunen skal betale til"),
            account_text(check.kontonummer) if check.kontonummer else _("Ikke oppgitt: brevet ber kommunen ta kontakt"),
        ),
        (_("KID/referanse"), application.referanse),
    ]
    return render(
        request,
        "grants/repayments/confirm.html",
        {
            "title": _("Bekreft kravet om tilbakebetaling"),
            "lead": _(
                "Når du bekrefter, registreres kravet, og brevet sendes til kommunen og søkerne. Kravet kan ikke "
                "trekkes tilbake, bare ettergis."
            ),
            "facts": facts,
            "reason": check.begrunnelse,
            "form": form,
            "action": reverse("grants:repayment_claim", args=[application.pk]),
            "confirm_label": _("Bekreft og send kravet"),
            "back_label": _("Tilbake og endre"),
            "cancel_url": reverse("grants:application_detail", args=[application.pk]) + "#utbetalinger",
        },
    )


# --- a payment out (utbetaling), from the application's panel ------------------------------------------


def _panel_page(request, application, key, form, status=400):
    fresh = selectors.application_detail(request.user, application.pk)
    return render(
        request, "grants/application_detail.html", application_context(request, fresh, {key: form}), status=status
    )


@login_required
@require_POST
def payment_create(request, pk):
    """Step 1 (no `bekreft`): check the payment and show the amount, the recipient kommune and the account. Step 2
    (`bekreft`): register it."""
    application = selectors.application_detail(request.user, pk)
    if application is None:
        raise Http404
    require(request.user, "grants.assess", application)
    decision = getattr(application, "vedtak", None)
    if decision is None:
        raise Http404
    require(request.user, "grants.register_payment", decision)
    form = PaymentForm(request.POST)
    if "endre" in request.POST:
        form.is_valid()
        return _panel_page(request, application, "payment", form, status=200)
    if not form.is_valid():
        return _panel_page(request, application, "payment", form)
    d = form.cleaned_data
    args = {"dato": d["dato"], "belop": d["belop"], "kontonummer": d["kontonummer"]}
    try:
        if "bekreft" not in request.POST:
            day, amount, account = services.check_payment(request.user, decision, **args)
            return _confirm_payment(request, application, decision, form, day, amount, account)
        services.register_payment(request.user, decision, **args)
    except ValidationError as exc:
        apply_errors(form, exc)
        return _panel_page(request, application, "payment", form)
    messages.success(request, _("Utbetalingen er registrert."))
    return redirect(reverse("grants:application_detail", args=[application.pk]) + "#utbetalinger")


def _confirm_payment(request, application, decision, form, day, amount, account):
    lead = selectors.lead_applicant(application)
    awarded, paid = ledger.final_amount(decision), ledger.paid_total(decision)
    facts = [
        (_("Beløp som utbetales"), kr(amount)),
        (_("Mottaker (vertskommune)"), lead.vertskommune.navn if lead else "–"),
        (_("Kontonummer"), account_text(account)),
        (_("Utbetalingsdato"), _date(day)),
        (_("Gjenstår å utbetale etterpå"), kr(awarded - paid - amount)),
        (_("Merkes med"), decision.saksnummer),
    ]
    return render(
        request,
        "grants/repayments/confirm.html",
        {
            "title": _("Bekreft utbetalingen"),
            "lead": _("Når du bekrefter, registreres utbetalingen. Den kan ikke endres eller slettes etterpå."),
            "facts": facts,
            "form": form,
            "action": reverse("grants:register_payment", args=[application.pk]),
            "confirm_label": _("Bekreft utbetalingen"),
            "back_label": _("Tilbake og endre"),
            "cancel_url": reverse("grants:application_detail", args=[application.pk]) + "#utbetalinger",
        },
    )


# --- the list -------------------------------------------------------------------------------------


@login_required
@require_GET
def claim_list(request):
    if not selectors_repayments.claims_listable_by(request.user):
        raise PermissionDenied(_("Du har ikke tilgang til dette."))
    vis = request.GET.get("vis", "apne")
    if vis not in selectors_repayments.FILTERS:
        vis = "apne"
    rows, counts = selectors_repayments.claim_list(request.user, vis)
    labels = {
        "apne": _("Åpne"),
        "forfalte": _("Forfalte"),
        "betalte": _("Betalte"),
        "ettergitte": _("Ettergitte"),
        "alle": _("Alle"),
    }
    return render(
        request,
        "grants/repayments/claim_list.html",
        {
            "rows": rows,
            "vis": vis,
            "filters": [(key, labels[key], counts.get(key, 0)) for key in selectors_repayments.FILTERS],
            "chosen": labels[vis],
            "outstanding": selectors_repayments.outstanding_total(rows),
        },
    )


# --- one claim ------------------------------------------------------------------------------------


def _claim(request, pk):
    row = selectors_repayments.claim_detail(request.user, pk)
    if row is None:
        raise Http404
    require(request.user, "grants.view_application", row.claim.vedtak.soknad)
    return row


def _detail_page(request, row, bound=None, status=200):
    claim = row.claim
    may_record = row.is_open and has_permission(request.user, "grants.register_payment", claim.vedtak)
    bound = bound or {}
    forms = {}
    if may_record:
        forms = {
            "receipt": bound.get("receipt") or ReceiptForm(initial={"belop": str(row.outstanding.quantize(1))}),
            "waiver": bound.get("waiver") or WaiverForm(),
        }
    return render(
        request,
        "grants/repayments/claim_detail.html",
        {
            "row": row,
            "claim": claim,
            "application": claim.vedtak.soknad,
            "may_record": may_record,
            "forms": forms,
            "account": account_text(claim.kontonummer) if claim.kontonummer else "",
        },
        status=status,
    )


@login_required
@require_GET
def claim_detail(request, pk):
    return _detail_page(request, _claim(request, pk))


@login_required
@require_GET
def claim_letter(request, pk):
    row = _claim(request, pk)
    if not row.claim.brev:
        raise Http404
    return FileResponse(
        row.claim.brev.open("rb"),
        as_attachment=False,
        filename=claim_filename(row.claim),
        content_type="application/pdf",
    )


def _record(request, pk, key, form_class, check, do, confirm):
    """The receipt and waiver views: check → confirmation page; bekreft → do; endre → the form again."""
    row = _claim(request, pk)
    claim = row.claim
    require(request.user, "grants.register_payment", claim.vedtak)
    form = form_class(request.POST)
    if "endre" in request.POST:
        form.is_valid()
        return _detail_page(request, row, {key: form})
    if not form.is_valid():
        return _detail_page(request, row, {key: form}, status=400)
    try:
        if "bekreft" not in request.POST:
            checked = check(claim, form.cleaned_data)
            context = {**confirm(row, checked), "form": form, "reason": form.cleaned_data.get("begrunnelse", "")}
            return render(request, "grants/repayments/confirm.html", context)
        message = do(claim, form.cleaned_data)
    except ValidationError as exc:
        apply_errors(form, exc)
        return _detail_page(request, row, {key: form}, status=400)
    messages.success(request, message)
    return redirect(reverse("grants:claim_detail", args=[claim.pk]))


def _recipient(claim) -> str:
    lead = claim.vedtak.soknad.ansvarlig_soker
    return lead.vertskommune.navn if lead else "–"


@login_required
@require_POST
def claim_receipt(request, pk):
    def check(claim, d):
        return repayments.check_receipt(request.user, claim, dato=d["dato"], belop=d["belop"])

    def do(claim, d):
        repayments.register_receipt(request.user, claim, dato=d["dato"], belop=d["belop"])
        return _("Innbetalingen er registrert.")

    def confirm(row, checked):
        day, amount = checked
        return {
            "title": _("Bekreft innbetalingen"),
            "lead": _("Når du bekrefter, registreres innbetalingen. Den kan ikke endres eller slettes etterpå."),
            "facts": [
                (_("Innbetalt beløp"), kr(amount)),
                (_("Innbetalingsdato"), _date(day)),
                (_("Fra"), _recipient(row.claim)),
                (_("Gjenstår av kravet etterpå"), kr(row.outstanding - amount)),
            ],
            "action": reverse("grants:claim_receipt", args=[row.claim.pk]),
            "confirm_label": _("Bekreft innbetalingen"),
            "back_label": _("Tilbake og endre"),
            "cancel_url": reverse("grants:claim_detail", args=[row.claim.pk]),
        }

    return _record(request, pk, "receipt", ReceiptForm, check, do, confirm)


@login_required
@require_POST
def claim_waive(request, pk):
    def check(claim, d):
        return repayments.check_waiver(request.user, claim, dato=d["dato"], begrunnelse=d["begrunnelse"])

    def do(claim, d):
        repayments.waive_claim(request.user, claim, dato=d["dato"], begrunnelse=d["begrunnelse"])
        return _("Resten av kravet er ettergitt.")

    def confirm(row, checked):
        day, rest = checked
        return {
            "title": _("Bekreft ettergivelsen"),
            "lead": _(
                "Når du bekrefter, ettergis resten av kravet, og kravet avsluttes. Det som er betalt inn, står ved lag."
            ),
            "facts": [
                (_("Beløp som ettergis"), kr(rest)),
                (_("Dato"), _date(day)),
                (_("Kommune"), _recipient(row.claim)),
                (_("Allerede betalt inn"), kr(row.paid)),
            ],
            "action": reverse("grants:claim_waive", args=[row.claim.pk]),
            "confirm_label": _("Bekreft ettergivelsen"),
            "back_label": _("Tilbake og endre"),
            "cancel_url": reverse("grants:claim_detail", args=[row.claim.pk]),
        }

    return _record(request, pk, "waiver", WaiverForm, check, do, confirm)


urlpatterns = [
    path("soknader/<int:pk>/utbetaling/", payment_create, name="register_payment"),
    path("soknader/<int:pk>/tilbakebetaling/", claim_create, name="repayment_claim"),
    path("tilbakebetalinger/", claim_list, name="claim_list"),
    path("tilbakebetalinger/<int:pk>/", claim_detail, name="claim_detail"),
    path("tilbakebetalinger/<int:pk>/brev.pdf", claim_letter, name="claim_letter"),
    path("tilbakebetalinger/<int:pk>/innbetaling/", claim_receipt, name="claim_receipt"),
    path("tilbakebetalinger/<int:pk>/ettergivelse/", claim_waive, name="claim_waive"),
]
