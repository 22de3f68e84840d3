"""The team pulse's form, for anyone with a link or a code (views/pulse_form.py)."""

from dashboard import views

views.pulse_form.render()
