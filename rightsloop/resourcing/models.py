"""The resourcing ledger (P3): compensation, honoraria, expenses and grants."""
