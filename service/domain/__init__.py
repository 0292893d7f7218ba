"""What the service is about, free of HTTP, SQL and Redis: the types every layer shares
(`types`), the results a job builds (`results`) and the errors (`errors`).

Nothing here imports from the rest of the project.
"""
