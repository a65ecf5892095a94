"""Demo data for this area; called from demo.seed.seed_demo (safe to run twice)."""


def seed_duty() -> None:
    return None
