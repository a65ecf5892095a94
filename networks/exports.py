"""Exports of the network directory and the membership register (CSV and XLSX, via tablib)."""

import tablib
from django.db.models import Q

from accounts.permissions import has_permission
from common.exports import CONTENT_TYPES
from common.exports import filename as filename  # noqa: PLC0414 - the views call exports.filename
from common.exports import render as render  # noqa: PLC0414 - the views call exports.render

from .models import Membership, MembershipStatus

FORMATS = CONTENT_TYPES


def directory_dataset(networks) -> tablib.Dataset:
    data = tablib.Dataset(
        headers=[
            "id",
            "embete",
            "nettverk",
            "status",
            "status_fra",
            "etablert_aar",
            "retning",
            "temaer",
            "antall_tjenester",
            "tjenester",
            "partnere",
            "leder_eller_koordinator",
            "del_av",
        ],
        title="Nettverk",
    )
    for n in networks:
        data.append(
            [
                n.pk,
                n.embete.slug,
                n.navn,
                n.get_status_display(),
                n.status_fra,
                n.etablert_aar,
                n.get_orientering_display(),
                "; ".join(t.navn for t in n.temaer.all()),
                n.antall_tjenester,
                "; ".join(m.tjeneste.navn for m in n.aktive_medlemskap),
                "; ".join(p.partner.navn for p in n.aktive_partnere),
                "; ".join(p.display_name for p in n.ledere),
                n.overordnet.navn if n.overordnet else "",
            ]
        )
    return data


def membership_dataset(user) -> tablib.Dataset:
    """Every membership period (history included). E-mail addresses are not exported."""
    data = tablib.Dataset(
        headers=["embete", "nettverk", "tjeneste", "orgnr", "status", "med_fra", "med_til"], title="Medlemskap"
    )
    qs = (
        Membership.objects.select_related("network__embete", "tjeneste")
        .filter(~Q(status=MembershipStatus.AVSLATT))
        .order_by("network__embete__navn", "network__navn", "tjeneste__navn", "opprettet")
    )
    for m in qs:
        if not has_permission(user, "networks.view_network", m.network):
            continue
        data.append(
            [
                m.network.embete.slug,
                m.network.navn,
                m.tjeneste.navn,
                m.tjeneste.orgnr,
                m.get_status_display(),
                m.fra_dato,
                m.til_dato,
            ]
        )
    return data
