"""Demo data for this area; called from demo.seed.seed_demo (safe to run twice)."""


def seed_reports() -> None:
    return None
