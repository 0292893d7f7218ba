"""The `tarjama` command line: the program's entry point, and the only package that may
import every other (the HTTP app, the workers, the models, the development stack)."""
