"""The one Settings class. Values come from the environment (or a `.env` file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from models.options import DEFAULT_BEAM_SIZE, DEFAULT_MAX_BATCH_TOKENS, TranslatorOptions

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{PROJECT_DIR / 'var' / 'tarjama.db'}"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_MODEL = "ar-en-small"
MAX_TEXT_CHARS = 200_000
MAX_BODY_BYTES = 2 * 1024 * 1024
MAX_BATCH_BYTES = 1024 * 1024 * 1024
# XLIFF and TMX files are parsed whole, so they get a limit of their own.
MAX_IMPORT_BYTES = 32 * 1024 * 1024
MAX_BATCH_ARTICLES = 100_000
JOB_TIMEOUT_S = 600
LEASE_S = 30.0
LEASE_RENEW_S = 5.0
RATE_LIMIT_PER_MINUTE = 60


class Settings(BaseSettings):
    """Service configuration; every field can be set as `TARJAMA_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="TARJAMA_", env_file=".env", extra="ignore")

    database_url: str = Field(
        DEFAULT_DATABASE_URL, validation_alias=AliasChoices("DATABASE_URL", "TARJAMA_DATABASE_URL")
    )
    redis_url: str = Field(
        DEFAULT_REDIS_URL, validation_alias=AliasChoices("REDIS_URL", "TARJAMA_REDIS_URL")
    )
    queue_name: str = "tarjama:queue"
    model: str = DEFAULT_MODEL
    models_dir: Path = PROJECT_DIR / "models"
    device: str = "auto"
    beam_size: int = Field(DEFAULT_BEAM_SIZE, ge=1, le=16)
    # Source tokens in one engine batch, padding and beam hypotheses counted.
    max_batch_tokens: int = Field(DEFAULT_MAX_BATCH_TOKENS, ge=64)
    # Threads per engine replica, and replicas (0: one per `translate_threads` cores).
    # Replicas share the weights and run batches in parallel: on CPU, throughput is best
    # with one thread each.
    translate_threads: int = Field(1, ge=1)
    translate_replicas: int = Field(0, ge=0)
    translation_memory: bool = True
    # Names enforced as terms beneath an article's glossary (service/domain/names.py):
    # Latin-script runs copied verbatim ("SY24"), Western numbers alone too, and CLDR's
    # countries and cities.
    copy_latin: bool = True
    copy_numbers: bool = True
    place_names: bool = True
    # Benchmarks only: force every translation to this many target tokens (0: off).
    fixed_output_tokens: int = Field(0, ge=0)
    worker_max_jobs: int = Field(16, ge=2)
    # Of those, slots that only interactive articles may use (bulk work takes the rest).
    worker_interactive_slots: int = Field(1, ge=1)
    # How often an idle worker slot looks for new work.
    worker_poll_delay_s: float = Field(0.05, gt=0)
    job_timeout_s: int = Field(JOB_TIMEOUT_S, ge=10)
    job_max_tries: int = Field(5, ge=1)
    max_text_chars: int = Field(MAX_TEXT_CHARS, ge=100)
    max_body_bytes: int = Field(MAX_BODY_BYTES, ge=1024)
    max_batch_bytes: int = Field(MAX_BATCH_BYTES, ge=1024)
    max_import_bytes: int = Field(MAX_IMPORT_BYTES, ge=1024)
    max_batch_articles: int = Field(MAX_BATCH_ARTICLES, ge=1)
    # Signs batch events sent to callback URLs (HMAC-SHA256 of the body). Required for
    # batches that ask for a callback.
    webhook_secret: str | None = Field(None, min_length=16)
    webhook_timeout_s: float = Field(10.0, gt=0)
    webhook_max_tries: int = Field(8, ge=1)
    # How often a worker looks for accepted articles that have no live job.
    reconcile_interval_s: float = Field(30.0, gt=0)
    # A running article is leased to its worker, which renews the lease every
    # `lease_renew_s` while it works; a lease not renewed for `lease_s` (the worker died
    # or hung) lets the reconciler take the article back and queue it again.
    lease_s: float = Field(LEASE_S, ge=2)
    lease_renew_s: float = Field(LEASE_RENEW_S, gt=0)
    # Interactive articles one API key may submit per minute (0: no limit). Bulk work goes
    # through batches and the queue's ordering, so it is not limited here.
    rate_limit_per_minute: int = Field(RATE_LIMIT_PER_MINUTE, ge=0)
    # Log lines as JSON objects (one per line) rather than plain text.
    log_json: bool = True
    log_level: str = Field("INFO", pattern="^(DEBUG|INFO|WARNING|ERROR|CRITICAL)$")

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, url: str) -> str:
        """Accept plain `postgresql://` and `sqlite:///` URLs and pick the async driver."""
        if url.startswith(("postgres://", "postgresql://")):
            return "postgresql+asyncpg://" + url.split("://", 1)[1]
        if url.startswith("sqlite://"):
            return "sqlite+aiosqlite://" + url.split("://", 1)[1]
        if not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("DATABASE_URL must be a sqlite or postgresql URL")
        return url

    @model_validator(mode="after")
    def _lease_outlives_renewals(self) -> Settings:
        """A lease must survive a missed renewal or two, or a busy worker loses its work."""
        if self.lease_renew_s * 3 > self.lease_s:
            raise ValueError(
                f"TARJAMA_LEASE_S ({self.lease_s:g}) must be at least three times "
                f"TARJAMA_LEASE_RENEW_S ({self.lease_renew_s:g})"
            )
        return self

    def translator_options(self) -> TranslatorOptions:
        """How `models.translator.Translator` runs, from these settings (all but the
        benchmarks' `fixed_output_tokens`, which only a worker applies)."""
        return TranslatorOptions(
            device=self.device,
            intra_threads=self.translate_threads,
            inter_threads=self.translate_replicas,
            beam_size=self.beam_size,
            max_batch_tokens=self.max_batch_tokens,
        )


@lru_cache
def get_settings() -> Settings:
    return Settings()
