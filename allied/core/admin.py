"""The Django admin is deliberately not installed.

It would be a second way into the data that skips the views' access checks. If it is ever added,
each registration here must restrict its querysets exactly as the views and API viewsets do.
"""
