"""The report (003, Montez): `config` (settings, data), `fits` (the experiments), `run`
(all of them, cached), `figures`, `pages` (tables and figures in order), `targets` (the
report's numbers).
"""
