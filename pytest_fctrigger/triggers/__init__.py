"""Trigger model, s.yaml / template.yml loaders, lint rules and cron.

Nothing here imports pytest; everything is usable from plain Python and the CLI.
"""
