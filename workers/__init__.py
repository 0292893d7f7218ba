"""arq workers: the job coroutines and the pure pipeline stages they run."""
