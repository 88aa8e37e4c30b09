"""The council in office: sessions, attendance, quorum, agreements, actas and vacancies (docs/council.md)."""
