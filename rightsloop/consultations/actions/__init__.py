"""Every change to consultations with side effects, one module per area (all keyword-only, atomic, audited)."""
