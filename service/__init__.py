"""tarjama's HTTP app (`app/`), domain (`domain/`), storage (`storage/`), and the settings
and queue they share."""
