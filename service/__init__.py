"""tarjama's HTTP API, domain and storage."""
