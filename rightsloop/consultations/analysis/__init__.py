"""The consultation analysis engine: pure Python over texts indexed 0..n-1, no Django.

VERSION is stored with every analysis run beside its parameters: a run repeated with the same parameters and the
same VERSION gives the same themes. Raise it whenever a change can move a text to another theme.
"""

VERSION = "2026.11.4"
