"""Pure domain code: magnesium forms and limits, nights, the sleep diary, and the comparisons.

No Textual, no database, no I/O and no clock: callers pass `now` in.
"""
