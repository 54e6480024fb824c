"""The stakeholder portal (P4): signed sign-in links and what the portal records."""
