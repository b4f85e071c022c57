"""followup: follow-up rounds for residents who said they would become active on their own."""
