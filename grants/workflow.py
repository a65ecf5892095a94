"""The application workflow as data: state -> {next state: permission action}. Services enforce it;
templates read it to show only the buttons that are allowed."""

from .models import ApplicationStatus as S

TRANSITIONS: dict[str, dict[str, str]] = {
    S.UTKAST: {S.SENDT_INN: "grants.submit", S.TRUKKET: "grants.withdraw"},
    S.SENDT_INN: {S.UNDER_BEHANDLING: "grants.assess", S.TRUKKET: "grants.withdraw"},
    S.UNDER_BEHANDLING: {
        S.INNVILGET: "grants.decide",
        S.DELVIS_INNVILGET: "grants.decide",
        S.AVSLATT: "grants.decide",
        S.TRUKKET: "grants.withdraw",
    },
    S.INNVILGET: {},
    S.DELVIS_INNVILGET: {},
    S.AVSLATT: {},
    S.TRUKKET: {},
}


def allowed(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, {})


def action_for(current: str, target: str) -> str | None:
    return TRANSITIONS.get(current, {}).get(target)


def next_states(current: str) -> list[str]:
    return list(TRANSITIONS.get(current, {}))
