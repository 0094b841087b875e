"""The paper (002, Zhu & Guo): `config` (settings, data, stopping rule), the
experiments `pairs` (logistic regression) and `softmax`, `run` (all of them, cached),
`figures`, `pages` (tables and figures in order), `targets` (the paper's numbers).
"""
