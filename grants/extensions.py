"""What the layers above grants add to grants' pages, without grants importing them (docs/architecture.md).
Filled in the higher apps' AppConfig.ready():

- frame_figures (followup): functions that take frame_overview's `grouped(queryset, prefix, amount)` helper and
  return {figure name: {(embete_id, kategori): amount}}; followup gives `rapportert_brukt` and `ubrukt` from the
  approved progress reports. A figure no app gives is 0."""

from collections.abc import Callable

frame_figures: list[Callable[[Callable], dict[str, dict]]] = []
