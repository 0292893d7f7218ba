FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY cli ./cli
COPY service ./service
COPY workers ./workers
COPY models ./models
COPY samples ./samples
RUN pip install -e . && useradd --create-home tarjama && chown -R tarjama /app
USER tarjama

EXPOSE 8000
CMD ["tarjama", "serve", "--host", "0.0.0.0", "--port", "8000"]
