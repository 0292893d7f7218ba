"""Tables, migrations and query functions. Knows nothing of FastAPI or arq."""
