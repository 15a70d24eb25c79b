"""Settings every service shares, read from the environment (12-factor); a service passes its own name."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from pilot_common.context import Role

# DEVELOPMENT ONLY. Anyone who knows this string can mint tokens for any role, so a deployment must set
# PILOT_JWT_SECRET; the app factory logs a warning when this default is in use.
DEV_JWT_SECRET = "DEV-ONLY-insecure-jwt-secret-do-not-use-in-production"
DEV_ISSUER = "pilot-dev-issuer"

_LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


class ServiceSettings(BaseSettings):
    """One service's configuration. Env vars are `PILOT_<FIELD>` except the two infrastructure ones."""

    model_config = SettingsConfigDict(env_prefix="PILOT_", extra="ignore", populate_by_name=True)

    service_name: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9-]*$")
    # Conventional, unprefixed names so that compose/k8s manifests and drivers look as usual.
    # Empty means the embedded default: a SQLite file per service (filled in below).
    database_url: str = Field(default="", validation_alias=AliasChoices("DATABASE_URL", "database_url"))
    # None selects the in-process event bus of the embedded mode.
    kafka_bootstrap_servers: str | None = Field(
        default=None, validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "kafka_bootstrap_servers")
    )
    # Prefix of this deployment's topics and consumer groups on a shared Kafka cluster (e.g. "staging").
    kafka_namespace: str = Field(default="", pattern=r"^[a-z0-9-]*$")
    # Business time: where the clock starts (to replay a batch with fixed dates); None is the real time.
    clock_start: datetime | None = None
    jwt_secret: str = Field(default=DEV_JWT_SECRET, min_length=32, repr=False)
    # Tokens of the organisation's OIDC identity provider (distributed mode): its JWKS URL, and the issuer and
    # audience its tokens carry; the role, province, organisation and name are read from these claims (dotted
    # paths allowed, e.g. `realm_access.roles`), the provider's role values mapped by `role_map` (JSON).
    oidc_jwks_url: str | None = None
    oidc_algorithms: list[str] = Field(default_factory=lambda: ["RS256", "ES256"])
    jwt_issuer: str = DEV_ISSUER
    jwt_audience: str = "cleaner-production-pilots"
    claim_role: str = "role"
    claim_province: str = "province"
    claim_org: str = "org"
    claim_name: str = "name"
    role_map: dict[str, Role] = Field(default_factory=dict)
    token_ttl_seconds: int = Field(default=3600, gt=0)
    log_level: str = "INFO"
    consumer_max_attempts: int = Field(default=3, ge=1)
    # The event backbone. Every topic (service topics and their .dlq) is declared with these figures; production
    # sets partitions 3+, replication 3, min ISR 2 and lets the cluster operator create the topics (create false).
    kafka_partitions: int = Field(default=3, ge=1, le=1000)
    kafka_replication_factor: int = Field(default=1, ge=1, le=10)
    kafka_min_insync_replicas: int = Field(default=1, ge=1, le=10)
    kafka_create_topics: bool = True
    kafka_session_timeout_ms: int = Field(default=10_000, ge=1_000, le=300_000)
    # Static group membership (e.g. the pod name): a restarted consumer gets its partitions back at once.
    kafka_group_instance_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9._-]{1,200}$")
    relay_lease_seconds: float = Field(default=15.0, ge=1.0, le=600.0)
    # The Ed25519 key that signs the Merkle log's checkpoints (PKCS#8 PEM), never kept in the database: the PEM itself
    # (e.g. from a secret) or a file. Neither: the embedded default keeps one beside its SQLite file.
    signing_key: str | None = Field(default=None, repr=False)
    signing_key_file: Path | None = None
    checkpoint_interval_seconds: float = Field(default=300.0, gt=0)
    dev_tokens_enabled: bool = Field(
        default=False, validation_alias=AliasChoices("PILOT_DEV_TOKENS", "dev_tokens_enabled")
    )

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in _LOG_LEVELS:
            raise ValueError(f"log level must be one of {', '.join(_LOG_LEVELS)}")
        return level

    @model_validator(mode="after")
    def _default_database(self) -> ServiceSettings:
        if not self.database_url:
            # Relative to the working directory; whoever opens the engine creates ./data.
            self.database_url = f"sqlite:///./data/{self.service_name}.db"
        return self

    @property
    def uses_dev_secret(self) -> bool:
        return self.jwt_secret == DEV_JWT_SECRET
