"""The dashboard in a browser: textual-serve behind a guard (token, cookie, Origin, Host, one session)."""
