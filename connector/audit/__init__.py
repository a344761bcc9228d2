"""Who did what, when: every create, update, archive and import, without secrets."""
