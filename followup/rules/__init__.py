"""Pure rules: no database, no HTTP, no clock. `now`/`today` are always arguments."""
