"""Settings for every stage of the flow, read once from ``LEERLUS_*`` environment variables.

One :class:`Settings` object is built per process (or per test) and passed down explicitly;
nothing reads the environment behind its back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where Leerlus keeps its data and how it serves it."""

    model_config = SettingsConfigDict(env_prefix="LEERLUS_", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="Map voor database en zoekindex.")
    content_dir: Path = Field(default=Path("content"), description="Map met de casusbestanden.")
    database_url: str | None = Field(default=None, description="SQLAlchemy-URL; standaard SQLite in de datamap.")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    taxonomy_dir: Path | None = Field(
        default=None, description="Map met eigen blokkades.yaml, wetten.yaml of vocabulaire.yaml."
    )
    spacy_model: str | None = Field(
        default=None, description="spaCy-pijplijn (pakketnaam of pad); standaard nl_core_news_sm als die er is."
    )
    max_file_bytes: int = Field(default=1_000_000, ge=1)
    work_timeout: float = Field(
        default=20.0, gt=0, le=600, description="Seconden rekenwerk (poort, analyse) die één verzoek mag gebruiken."
    )
    workers: int = Field(default=2, ge=1, le=32, description="Werkprocessen voor het rekenwerk van verzoeken.")
    search_backend: Literal["whoosh", "postgresql"] = Field(
        default="whoosh", description="Zoekindex: Whoosh in de datamap, of PostgreSQL-full-text in de database."
    )
    ingest_wait_seconds: float = Field(
        default=60.0,
        ge=0,
        le=86_400,
        description="Zo lang wacht een inleesrun (op PostgreSQL) op een andere server die al inleest.",
    )

    base_url: str | None = Field(
        default=None,
        description="Adres waaronder gebruikers Leerlus bereiken (voor feeds en absolute links); "
        "standaard http://HOST:PORT.",
    )
    secret_key: SecretStr | None = Field(
        default=None, description="Sleutel voor sessiecookies; standaard eenmalig gemaakt in de datamap."
    )
    secure_cookies: bool | None = Field(
        default=None, description="Sessiecookie alleen over HTTPS; standaard aan als base_url met https begint."
    )
    session_hours: int = Field(default=12, ge=1, le=24 * 30, description="Hoe lang een sessie geldig blijft.")

    @field_validator("base_url")
    @classmethod
    def _plain_base_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")) or "?" in value or "#" in value:
            raise ValueError("LEERLUS_BASE_URL moet een adres zijn als https://leerlus.gemeente.nl (zonder ? of #)")
        return value

    @field_validator("data_dir", "content_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @model_validator(mode="after")
    def _postgresql_search_needs_postgresql(self) -> Settings:
        if self.search_backend == "postgresql" and not (self.database_url or "").startswith("postgresql"):
            raise ValueError(
                "LEERLUS_SEARCH_BACKEND=postgresql zoekt in de database zelf en vraagt daarom een "
                "PostgreSQL-URL in LEERLUS_DATABASE_URL (bijvoorbeeld postgresql+psycopg://gebruiker@host/leerlus)"
            )
        return self

    @property
    def public_url(self) -> str:
        """The address users reach Leerlus at: ``LEERLUS_BASE_URL``, or the address it serves on.
        Absolute links (feeds) are built from this, never from a request's Host header."""
        if self.base_url:
            return self.base_url
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def cookies_secure(self) -> bool:
        if self.secure_cookies is not None:
            return self.secure_cookies
        return self.public_url.startswith("https://")

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def sql_url(self) -> str:
        """The database URL in use: the configured one, or SQLite inside the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'leerlus.sqlite3').resolve()}"
