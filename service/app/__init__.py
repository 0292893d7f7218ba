"""The HTTP app: the API's routers (`api/`), the review pages (`web/`) and their wiring."""
