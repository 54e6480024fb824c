"""Cells written for spreadsheets: a cell a spreadsheet would run as a formula is made plain text.

Spreadsheets run a cell that starts with = + - @ (or a tab or carriage return) as a formula; such a cell, or one
starting with an apostrophe, gets a leading apostrophe on export, and an import strips one back (unguard).
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")


def guard(value):
    """A cell that a spreadsheet would run as a formula, made plain text by a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unguard(value):
    if isinstance(value, str) and value.startswith("'"):
        return value[1:]
    return value
