"""Views for projects."""
