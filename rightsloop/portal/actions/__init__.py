"""Every change the portal makes: links issued, followed and revoked; what a stakeholder changes themselves."""
