"""The intermediate representation: frozen, resolved, named.

Every emitter renders from these models and nothing else. By the time an IR
exists, every reference is resolved, every default is applied, and every
generated name (Python identifiers, class names, operation ids, file stems)
has been decided once by :mod:`contractgen.ir.naming`. Emitters never invent
names; if an emitter needs a new kind of name, add it here and to naming.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from contractgen.memory import share_fields_set

Stability = Literal["idea", "in_creation", "experimental", "beta", "stable", "deprecated"]
HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def model_post_init(self, context: Any, /) -> None:
        share_fields_set(self)


class Source(Frozen):
    """Where a spec element was written (1-based line and column)."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class SpecId(Frozen):
    """A resolved reference to a keyed spec."""

    key: str
    version: str

    def __str__(self) -> str:
        return f"{self.key}@{self.version}"


class TypeRef(Frozen):
    """The type of a field: a scalar, a shared model or an enum."""

    kind: Literal["scalar", "model", "enum"]
    name: str


class Constraints(Frozen):
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | int | None = None
    maximum: float | int | None = None
    pattern: str | None = None
    min_items: int | None = None
    max_items: int | None = None

    def is_empty(self) -> bool:
        return all(v is None for v in self.__dict__.values())


class FieldIR(Frozen):
    name: str = Field(description="Wire name, exactly as written in the spec.")
    py_name: str = Field(description="Python attribute / argument name.")
    type: TypeRef
    is_list: bool = False
    required: bool = True
    nullable: bool = False
    description: str | None = None
    has_default: bool = False
    default: Any = None
    deprecated: bool = False
    constraints: Constraints = Constraints()
    examples: tuple[Any, ...] = ()
    source: Source


ModelRole = Literal["shared", "input", "output", "payload"]


class ModelIR(Frozen):
    name: str = Field(description="Schema name (OpenAPI component, docs page, Python class).")
    role: ModelRole
    owner: SpecId | None = Field(default=None, description="The spec an inline model belongs to.")
    description: str | None = None
    domain: str
    module: str = Field(description="Python module (per domain) that holds the class.")
    page: str = Field(description="Docs page path stem, relative to the docs root.")
    stability: Stability = "experimental"
    fields: tuple[FieldIR, ...]
    source: Source
    source_yaml: str = Field(default="", exclude=True, description="YAML of a shared model's spec.")


class EnumValueIR(Frozen):
    value: str
    py_name: str
    description: str | None = None
    deprecated: bool = False


class EnumIR(Frozen):
    name: str
    description: str | None = None
    domain: str
    module: str
    page: str
    stability: Stability = "experimental"
    values: tuple[EnumValueIR, ...]
    source: Source
    source_yaml: str = Field(default="", exclude=True, description="The enum spec's YAML text.")


class ErrorIR(Frozen):
    code: str
    http: int
    description: str
    when: str | None = None
    py_class: str = Field(description="Exception class name in the Python client.")
    source: Source


class RestIR(Frozen):
    method: HttpMethod
    path: str
    path_params: tuple[str, ...] = Field(description="Input fields (wire names) bound in the path.")
    query_params: tuple[str, ...] = Field(description="Input fields sent as query parameters.")
    body_fields: tuple[str, ...] = Field(description="Input fields sent in the JSON body.")
    method_inferred: bool
    path_inferred: bool


class RateLimitIR(Frozen):
    rpm: int
    key: Literal["user", "org", "global"]


class PolicyIR(Frozen):
    auth: Literal["anonymous", "user", "admin"]
    pii: tuple[str, ...] = ()
    idempotent: bool
    idempotent_inferred: bool
    rate_limit: RateLimitIR | None = None
    escalation: Literal["human_review"] | None = None
    roles: tuple[str, ...] = ()
    permissions: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()


class EmitIR(Frozen):
    event: SpecId
    when: str | None = None


class ScenarioIR(Frozen):
    key: str
    given: tuple[str, ...] = ()
    when: tuple[str, ...] = ()
    then: tuple[str, ...] = ()


class ExampleIR(Frozen):
    key: str
    description: str | None = None
    input: dict[str, Any] | None = None
    output: dict[str, Any] | None = None
    error: str | None = None


class Meta(Frozen):
    """Fields every keyed spec shares."""

    key: str
    version: str
    title: str
    description: str | None = None
    domain: str
    owners: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    stability: Stability = "experimental"
    is_latest: bool = Field(description="Highest version of this key in the spec set.")
    file: str
    source: Source
    source_yaml: str = Field(exclude=True, description="The spec's YAML text, for docs pages.")

    @property
    def id(self) -> SpecId:
        return SpecId(key=self.key, version=self.version)

    @property
    def ref(self) -> str:
        return f"{self.key}@{self.version}"

    @property
    def deprecated(self) -> bool:
        return self.stability == "deprecated"


class OperationNames(Frozen):
    operation_id: str = Field(description="OpenAPI operationId, unique in the set.")
    client_path: tuple[str, ...] = Field(
        description="Attribute path on the client: ('harness', 'run', 'cancel')."
    )
    module: str = Field(description="Python module (per domain) holding the operation.")
    page: str = Field(description="Docs page path stem.")


class OperationIR(Meta):
    kind: Literal["command", "query"]
    goal: str | None = None
    context: str | None = None
    capability: SpecId | None = None
    input: str | None = Field(default=None, description="Name of the input model.")
    output: str | None = Field(default=None, description="Name of the output model.")
    errors: tuple[ErrorIR, ...] = ()
    policy: PolicyIR
    emits: tuple[EmitIR, ...] = ()
    analytics: tuple[str, ...] = ()
    audit: tuple[str, ...] = ()
    rest: RestIR
    scenarios: tuple[ScenarioIR, ...] = ()
    examples: tuple[ExampleIR, ...] = ()
    names: OperationNames


class EventNames(Frozen):
    py_class: str = Field(description="Name of the payload model (also the Python class).")
    webhook: str = Field(description="OpenAPI webhook name.")
    module: str
    page: str


class EventIR(Meta):
    payload: str = Field(description="Name of the payload model.")
    names: EventNames


class RequirementIR(Frozen):
    capability: SpecId
    optional: bool
    reason: str | None = None
    in_set: bool = Field(description="False for an optional capability outside this spec set.")


class CapabilityIR(Meta):
    type: Literal["api", "event", "data", "ui", "integration"]
    operations: tuple[SpecId, ...] = ()
    events: tuple[SpecId, ...] = ()
    requires: tuple[RequirementIR, ...] = ()
    page: str


class FeatureIR(Meta):
    operations: tuple[SpecId, ...] = ()
    events: tuple[SpecId, ...] = ()
    capabilities: tuple[SpecId, ...] = ()
    page: str


class NamingDecision(Frozen):
    """A name contractgen chose that differs from what was written; reported to users."""

    source: Source
    wire: str
    chosen: str
    reason: str


class ContractSet(Frozen):
    """The whole checked spec set. Every collection is sorted deterministically."""

    operations: tuple[OperationIR, ...] = ()
    events: tuple[EventIR, ...] = ()
    models: tuple[ModelIR, ...] = ()
    enums: tuple[EnumIR, ...] = ()
    capabilities: tuple[CapabilityIR, ...] = ()
    features: tuple[FeatureIR, ...] = ()
    domains: tuple[str, ...] = ()
    naming: tuple[NamingDecision, ...] = ()

    # Lookups, built once per IR on first use (emitters call them in loops).
    @cached_property
    def _models(self) -> dict[str, ModelIR]:
        return {m.name: m for m in self.models}

    @cached_property
    def _enums(self) -> dict[str, EnumIR]:
        return {e.name: e for e in self.enums}

    @cached_property
    def _operations(self) -> dict[tuple[str, str], OperationIR]:
        return {(o.key, o.version): o for o in self.operations}

    @cached_property
    def _events(self) -> dict[tuple[str, str], EventIR]:
        return {(e.key, e.version): e for e in self.events}

    @cached_property
    def _capabilities(self) -> dict[tuple[str, str], CapabilityIR]:
        return {(c.key, c.version): c for c in self.capabilities}

    def model(self, name: str) -> ModelIR:
        return self._models[name]

    def enum(self, name: str) -> EnumIR:
        return self._enums[name]

    def operation(self, ref: SpecId) -> OperationIR:
        return self._operations[(ref.key, ref.version)]

    def event(self, ref: SpecId) -> EventIR:
        return self._events[(ref.key, ref.version)]

    def capability(self, ref: SpecId) -> CapabilityIR:
        return self._capabilities[(ref.key, ref.version)]

    def models_by_name(self) -> dict[str, ModelIR]:
        return dict(self._models)

    def enums_by_name(self) -> dict[str, EnumIR]:
        return dict(self._enums)
