from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Builds the demo dataset. Depends on every other app, nothing depends on it."""

    name = "demo"
    verbose_name = "Demodata"
