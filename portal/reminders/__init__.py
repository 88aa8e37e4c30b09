"""Reminders: the portal tells people before a deadline passes (docs/reminders.md).

A service above the domains, like portal/public and portal/staff: it reads the domains' deadlines
(read-only SQL in `queries.py`) and never changes a domain's data. Each reminder kind is registered in
`kinds.py`; a new domain (the council) adds its own kinds there without touching the rest.
"""
