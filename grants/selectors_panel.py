"""What the panels of the application page and the round page show, and what the user may do there, as plain
frozen data. The views build the forms from it (only those the user may use) and render the templates
(templates/grants/staff/_panel.html, _round_panel.html), which only display.

`staff_panel(user, application)` is the application page's panel: the applying leader's appeal, and for
statsforvalter and Bufdir the case work (case officer, impartiality, scores, recommendation, decision with what is
left of the frame, appeals, payments, repayment claims, carry-overs). `round_panel(user, rnd)` is the round page's
staff part: prioritisation boards and the batch of decision letters.

Who may do what comes from the permission registry (accounts.permissions) and the workflow table
(grants.workflow); the services check the same again when the form is posted. Each section is one small
function; the query count does not grow with the data (the application comes from
grants.selectors.application_detail with the decision, its payments and appeals)."""

import datetime
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import STATSFORVALTER_ROLES, RoleAssignment, User
from accounts.permissions import has_permission
from accounts.scoping import standing
from organisations.models import ChildWelfareService
from projects.models import Category

from . import ledger, selectors, workflow
from .models import (
    Appeal,
    Application,
    ApplicationRound,
    ApplicationStatus,
    Assessment,
    CarryOver,
    Criterion,
    Decision,
    Frame,
    ImpartialityDeclaration,
    Payment,
    RepaymentClaim,
    Score,
)
from .services import ASSESSABLE
from .tasks import decisions_lacking_letters, letters_key

# --- the data --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicantAppeal:
    """The applying leader's appeal section (klage på vedtaket)."""

    appeals: tuple[Appeal, ...]
    open: bool  # an appeal awaits its outcome (one open appeal at a time)
    deadline: datetime.date  # klagefrist
    deadline_passed: bool


@dataclass(frozen=True)
class Impartiality:
    """Habilitet: the user's own declaration and everyone's."""

    mine: ImpartialityDeclaration | None
    declarations: tuple[ImpartialityDeclaration, ...]

    @property
    def impartial(self) -> bool:
        """The user has declared themself impartial (habil)."""
        return self.mine is not None and not self.mine.ugild


@dataclass(frozen=True)
class Scoring:
    criteria: tuple[Criterion, ...]
    scores: tuple[Score, ...]  # everyone's, in criterion order
    mine: dict[int, Score] = field(default_factory=dict)  # the user's own, by criterion id


@dataclass(frozen=True)
class FrameFigures:
    """The frame the decision is made against: its amount, what is awarded from it, what is left."""

    belop: Decimal
    tildelt: Decimal
    igjen: Decimal


@dataclass(frozen=True)
class DecisionFigures:
    """After the decision: appeals, the amount in force, payments, repayment claims and carry-overs."""

    appeals: tuple[Appeal, ...]
    final_amount: Decimal  # after upheld appeals
    paid: Decimal
    payments: tuple[Payment, ...]
    claims: tuple[RepaymentClaim, ...]
    carries: tuple[CarryOver, ...]

    @property
    def open_appeals(self) -> tuple[Appeal, ...]:
        return tuple(a for a in self.appeals if not a.utfall)

    @property
    def unpaid(self) -> Decimal:
        return self.final_amount - self.paid


@dataclass(frozen=True)
class Casework:
    """The statsforvalter's and Bufdir's case work (saksbehandling)."""

    read_only: bool  # may read it, may not change it (Bufdir, other roles that may see it)
    case_officer: User | None
    impartiality: Impartiality
    scoring: Scoring
    assessment: Assessment | None
    frame: FrameFigures | None  # looked up only when the user may decide; None then: no frame set, only refusal
    decided: DecisionFigures | None


@dataclass(frozen=True)
class PanelActions:
    """What the user may do in the panel now: each is one form on the page (and one service)."""

    file_appeal: bool = False
    assign_officer: bool = False
    declare_impartiality: bool = False
    score: bool = False
    recommend: bool = False
    decide: bool = False
    resolve_appeals: bool = False
    register_payment: bool = False
    claim_repayment: bool = False
    carry_over: bool = False


@dataclass(frozen=True)
class StaffPanel:
    application: Application
    decision: Decision | None
    appeal: ApplicantAppeal | None  # None: the user may not appeal (not shown)
    casework: Casework | None  # None: not shown (not staff, or a draft)
    may: PanelActions
    # The lead applicant (ansvarlig søker) and the målform of its vertskommune: the letter's language and the payee.
    lead: ChildWelfareService | None = None
    letter_language: str = ""  # the Maalform label, e.g. «Nynorsk»


@dataclass(frozen=True)
class RoundPanel:
    """The round page's staff part: boards per category and the batch of decision letters."""

    may_manage: bool
    categories: tuple[Category, ...]
    missing: int  # decisions without a letter (or not yet e-mailed)
    progress: dict | None  # {"done": n, "total": m} while or after letters are made
    running: bool
    finished: bool


# --- shared reads ----------------------------------------------------------------------------------


def officers_for(embete_id) -> QuerySet[User]:
    """The active statsforvalter staff of the embete: who may be the case officer."""
    return (
        User.objects.filter(
            pk__in=RoleAssignment.objects.active()
            .filter(rolle__in=STATSFORVALTER_ROLES, embete_id=embete_id)
            .values("user_id")
        )
        .filter(is_active=True)
        .order_by("first_name", "last_name", "email")
    )


def frame_for(rnd: ApplicationRound, kategori: str) -> Frame | None:
    """The frame of the round's scheme, year and embete for a category (Bufdir sets it)."""
    return Frame.objects.filter(ordning=rnd.ordning, aar=rnd.aar, embete=rnd.embete, kategori=kategori).first()


def is_staff_user(user) -> bool:
    """Statsforvalter or Bufdir (or a superuser): who sees the case work and the list of applications."""
    who = standing(user)
    return who.superuser or who.staff


# --- the application's panel ---------------------------------------------------------------------


def staff_panel(user, application: Application, today: datetime.date | None = None) -> StaffPanel:
    """What the panel on the application page shows this user and what they may do there."""
    today = today or timezone.localdate()
    decision = getattr(application, "vedtak", None)
    appeal = _applicant_appeal(user, application, decision, today)
    casework = _casework(user, application, decision)
    actions = _casework_actions(user, application, casework) if casework else {}
    if actions.get("decide"):  # the frame is looked up only for who may decide
        casework = replace(casework, frame=_frame_figures(application))
    may = PanelActions(
        file_appeal=appeal is not None
        and not appeal.open
        and not appeal.deadline_passed
        and not any(a.bufdir_utfall in ("stadfestet", "endret") for a in appeal.appeals),
        **actions,
    )
    lead, letter_language = selectors.lead_and_letter_language(application)
    return StaffPanel(
        application=application,
        decision=decision,
        appeal=appeal,
        casework=casework,
        may=may,
        lead=lead,
        letter_language=letter_language,
    )


def _applicant_appeal(user, application, decision, today) -> ApplicantAppeal | None:
    if decision is None or not has_permission(user, "grants.appeal", application):
        return None
    appeals = tuple(decision.klager.all())
    return ApplicantAppeal(
        appeals=appeals,
        # Awaiting an outcome: at the statsforvalter, or forwarded to Bufdir (grants.appeals).
        open=any(not a.utfall or a.at_bufdir for a in appeals),
        deadline=decision.klagefrist,
        deadline_passed=today > decision.klagefrist,
    )


def _casework(user, application, decision) -> Casework | None:
    if not is_staff_user(user) or application.status == ApplicationStatus.UTKAST:
        return None
    return Casework(
        read_only=not has_permission(user, "grants.assess", application),
        case_officer=application.saksbehandler,
        impartiality=_impartiality(user, application),
        scoring=_scoring(user, application),
        assessment=getattr(application, "vurdering", None),  # selected with the application
        frame=None,  # filled in by staff_panel when the user may decide
        decided=_decision_figures(decision) if decision is not None else None,
    )


def _impartiality(user, application) -> Impartiality:
    declarations = tuple(ImpartialityDeclaration.objects.filter(soknad=application).select_related("vurderer"))
    mine = next((d for d in declarations if d.vurderer_id == user.pk), None)
    return Impartiality(mine=mine, declarations=declarations)


def _scoring(user, application) -> Scoring:
    scores = tuple(
        Score.objects.filter(soknad=application)
        .select_related("kriterium", "vurderer")
        .order_by("kriterium__rekkefolge")
    )
    return Scoring(
        criteria=tuple(application.utlysning.kriterieliste.all()),
        scores=scores,
        mine={s.kriterium_id: s for s in scores if s.vurderer_id == user.pk},
    )


def _frame_figures(application) -> FrameFigures | None:
    frame = frame_for(application.utlysning, application.kategori)
    if frame is None:
        return None
    used = ledger.awarded_total(frame)
    return FrameFigures(belop=frame.belop, tildelt=used, igjen=frame.belop - used)


def _decision_figures(decision) -> DecisionFigures:
    payments = tuple(decision.utbetalinger.all())  # prefetched with the application
    return DecisionFigures(
        appeals=tuple(decision.klager.all()),  # prefetched with the application
        final_amount=ledger.final_amount(decision),
        paid=ledger.paid_total(decision),  # from the prefetched payments
        payments=payments,
        claims=tuple(decision.tilbakebetalingskrav.all()),
        carries=tuple(decision.overforinger.all()),
    )


def _casework_actions(user, application, casework: Casework) -> dict:
    """Forms are offered only to who may use them: scoring, recommending and deciding only after declaring
    impartiality, and never when disqualified; nothing when the user may only read."""
    if casework.read_only:
        return {}
    return {**_assessment_actions(user, application, casework), **_decision_actions(user, application, casework)}


def _assessment_actions(user, application, casework: Casework) -> dict:
    status = application.status
    assessable = status in ASSESSABLE
    impartial = casework.impartiality.impartial
    return {
        "assign_officer": assessable,
        "declare_impartiality": casework.impartiality.mine is None and status != ApplicationStatus.TRUKKET,
        "score": impartial and status == ApplicationStatus.UNDER_BEHANDLING and bool(casework.scoring.criteria),
        "recommend": impartial and assessable,
        "decide": impartial and workflow.may(user, application, ApplicationStatus.INNVILGET),
    }


def _decision_actions(user, application, casework: Casework) -> dict:
    decided = casework.decided
    if decided is None:
        return {}
    may_pay = has_permission(user, "grants.register_payment", application.vedtak)
    return {
        "resolve_appeals": casework.impartiality.impartial
        and bool(decided.open_appeals)
        and has_permission(user, "grants.decide", application),
        "register_payment": may_pay and decided.final_amount > 0 and decided.paid < decided.final_amount,
        "claim_repayment": may_pay and decided.paid > 0,
        "carry_over": may_pay and decided.paid > 0 and application.utlysning.overforing_tillatt,
    }


# --- the round's panel ---------------------------------------------------------------------------


def round_panel(user, rnd: ApplicationRound) -> RoundPanel | None:
    """The round page's staff part, or None when the user may see neither boards nor letters."""
    may_manage = has_permission(user, "grants.manage_round", rnd)
    if not (may_manage or has_permission(user, "grants.view_frames", rnd.embete)):
        return None
    progress = cache.get(letters_key(rnd.pk)) if may_manage else None
    missing = decisions_lacking_letters(rnd.pk).count() if may_manage else 0
    running = bool(progress and progress["done"] < progress["total"])
    return RoundPanel(
        may_manage=may_manage,
        categories=tuple(Category(c) for c in rnd.categories),
        missing=missing,
        progress=progress,
        running=running,
        finished=bool(progress and progress["total"] and not running and not missing),
    )
