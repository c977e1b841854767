"""Front desk: eligibility (270/271), booking checks, caps and authorizations, plan-of-care
tracking, the daily work list, estimates and patient statements."""
