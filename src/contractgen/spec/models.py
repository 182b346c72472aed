"""Raw spec models: the YAML documents exactly as written, validated strictly.

These models describe what a user may write and nothing more (extra keys are
errors). They resolve nothing: references stay strings such as
``harness.execution@1.0.0`` or ``HarnessRun[]``; the IR builder resolves them.
Their JSON Schema (``contractgen schema``) is what editors validate against.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from contractgen.memory import share_fields_set

# A spec key: dotted lowercase segments, e.g. ``harness.run.cancel``.
KEY_PATTERN = r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*(?:\.[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*)+$"
# Semantic version without build metadata.
SEMVER_PATTERN = (
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$"
)
# ``key`` or ``key@version``.
SPEC_REF_PATTERN = KEY_PATTERN[:-1] + r"(?:@" + SEMVER_PATTERN[1:-1] + r")?$"
# A type expression: ``Name``, ``Name[]``, ``Name?``, ``Name[]?``.
TYPE_PATTERN = r"^[A-Za-z][A-Za-z0-9_]*(\[\])?\??$"
# Model and enum names: PascalCase identifiers.
TYPE_NAME_PATTERN = r"^[A-Z][A-Za-z0-9]*$"

Key = Annotated[str, StringConstraints(pattern=KEY_PATTERN)]
Version = Annotated[str, StringConstraints(pattern=SEMVER_PATTERN)]
SpecRef = Annotated[str, StringConstraints(pattern=SPEC_REF_PATTERN)]
TypeExpr = Annotated[str, StringConstraints(pattern=TYPE_PATTERN)]
TypeName = Annotated[str, StringConstraints(pattern=TYPE_NAME_PATTERN)]
Text = Annotated[str, StringConstraints(max_length=20_000)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=500)]
Stability = Literal["idea", "in_creation", "experimental", "beta", "stable", "deprecated"]
JsonValue = Any


class Raw(BaseModel):
    """Base of every raw model: strict keys, camelCase in YAML."""

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        frozen=True,
        strict=True,
    )

    def model_post_init(self, context: Any, /) -> None:
        share_fields_set(self)


def _or_string(schema: JsonSchemaValue, string: dict[str, Any]) -> JsonSchemaValue:
    """A model's schema that also accepts its one-string shorthand (for editors)."""
    return {"anyOf": [{"type": "string", **string}, schema]}


class FieldSpec(Raw):
    """One field of a model. Shorthand in YAML: ``name: Type`` (``Type?``, ``Type[]``)."""

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return _or_string(handler(core_schema), {"pattern": TYPE_PATTERN})

    type: TypeExpr = Field(description="Scalar, model or enum name; `[]` for a list, `?` optional.")
    optional: bool | None = Field(
        default=None, description="Field may be absent. Same as a trailing `?` on the type."
    )
    nullable: bool = Field(default=False, description="Field may be present with value null.")
    description: Text | None = None
    default: JsonValue = Field(
        default=None, description="Default value (implies optional); must match the type."
    )
    deprecated: bool = False
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=0)
    minimum: int | float | None = None
    maximum: int | float | None = None
    pattern: Annotated[str, StringConstraints(max_length=1000)] | None = None
    min_items: int | None = Field(default=None, ge=0)
    max_items: int | None = Field(default=None, ge=0)
    examples: list[JsonValue] | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"type": data}
        return data


Fields = dict[str, FieldSpec]


class ErrorSpec(Raw):
    http: int = Field(description="HTTP status the API answers with (400-599).")
    description: Text
    when: Text | None = Field(default=None, description="The condition, in words.")


class RateLimit(Raw):
    rpm: int = Field(gt=0, description="Requests per minute.")
    key: Literal["user", "org", "global"] = "user"


class PolicySpec(Raw):
    auth: Literal["anonymous", "user", "admin"] = "user"
    pii: list[str] = Field(
        default_factory=list, description="Paths of fields holding personal data, e.g. input.email."
    )
    idempotent: bool | None = Field(
        default=None, description="Queries are always idempotent; commands default to false."
    )
    rate_limit: RateLimit | None = None
    escalation: Literal["human_review"] | None = None
    roles: list[ShortText] = Field(default_factory=list)
    permissions: list[ShortText] = Field(default_factory=list)
    flags: list[ShortText] = Field(default_factory=list, description="Feature flags that gate it.")


class EmitSpec(Raw):
    event: SpecRef = Field(description="Event key, optionally @version.")
    when: Text | None = None


class SideEffectsSpec(Raw):
    emits: list[EmitSpec] = Field(default_factory=list)
    analytics: list[ShortText] = Field(default_factory=list)
    audit: list[ShortText] = Field(default_factory=list)


class RestSpec(Raw):
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] | None = None
    path: Annotated[str, StringConstraints(max_length=500)] | None = None


class TransportSpec(Raw):
    rest: RestSpec | None = None


# `given: one sentence` is accepted as a list of one; the schema says so.
Sentences = Annotated[
    list[Text],
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}),
]


class ScenarioSpec(Raw):
    key: ShortText
    given: Sentences = Field(default_factory=list)
    when: Sentences = Field(default_factory=list)
    then: Sentences = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _one_line(cls, data: Any) -> Any:
        # `given: one sentence` is accepted as a list of one.
        if isinstance(data, dict):
            return {
                k: [v] if k in ("given", "when", "then") and isinstance(v, str) else v
                for k, v in data.items()
            }
        return data


class ExampleSpec(Raw):
    key: ShortText
    description: Text | None = None
    input: dict[str, JsonValue] | None = None
    output: dict[str, JsonValue] | None = None
    error: str | None = Field(
        default=None, description="Declared error code this example answers with."
    )


class AcceptanceSpec(Raw):
    scenarios: list[ScenarioSpec] = Field(default_factory=list)
    examples: list[ExampleSpec] = Field(default_factory=list)


class MetaSpec(Raw):
    """Fields every spec kind shares."""

    key: Key
    version: Version
    title: ShortText | None = None
    description: Text | None = None
    domain: ShortText | None = None
    owners: list[ShortText] = Field(default_factory=list)
    tags: list[ShortText] = Field(default_factory=list)
    stability: Stability = "experimental"


class OperationSpec(MetaSpec):
    kind: Literal["command", "query"]
    goal: Text | None = None
    context: Text | None = None
    capability: SpecRef | None = None
    input: TypeName | Fields | None = Field(
        default=None, description="Inline fields, or the name of a shared model."
    )
    output: TypeName | Fields | None = None
    errors: dict[str, ErrorSpec] = Field(default_factory=dict)
    policy: PolicySpec = Field(default_factory=PolicySpec)
    side_effects: SideEffectsSpec = Field(default_factory=SideEffectsSpec)
    transport: TransportSpec = Field(default_factory=TransportSpec)
    acceptance: AcceptanceSpec = Field(default_factory=AcceptanceSpec)


class EventSpec(MetaSpec):
    kind: Literal["event"]
    payload: TypeName | Fields


class ModelSpec(Raw):
    kind: Literal["model"]
    name: TypeName
    description: Text | None = None
    domain: ShortText | None = None
    stability: Stability = "experimental"
    fields: Fields


class EnumValueSpec(Raw):
    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return _or_string(handler(core_schema), {"minLength": 1})

    value: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    description: Text | None = None
    deprecated: bool = False

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"value": data}
        return data


class EnumSpec(Raw):
    kind: Literal["enum"]
    name: TypeName
    description: Text | None = None
    domain: ShortText | None = None
    stability: Stability = "experimental"
    values: list[EnumValueSpec] = Field(min_length=1)


class RequirementSpec(Raw):
    capability: SpecRef
    optional: bool = False
    reason: Text | None = None


class ProvidesSpec(Raw):
    operations: list[SpecRef] = Field(default_factory=list)
    events: list[SpecRef] = Field(default_factory=list)


class CapabilitySpec(MetaSpec):
    kind: Literal["capability"]
    type: Literal["api", "event", "data", "ui", "integration"] = Field(
        description="Capability kind."
    )
    provides: ProvidesSpec = Field(default_factory=ProvidesSpec)
    requires: list[RequirementSpec] = Field(default_factory=list)


class FeatureSpec(MetaSpec):
    kind: Literal["feature"]
    operations: list[SpecRef] = Field(default_factory=list)
    events: list[SpecRef] = Field(default_factory=list)
    capabilities: list[SpecRef] = Field(default_factory=list)


AnySpec = OperationSpec | EventSpec | ModelSpec | EnumSpec | CapabilitySpec | FeatureSpec

SPEC_CLASSES: dict[str, type[Raw]] = {
    "command": OperationSpec,
    "query": OperationSpec,
    "event": EventSpec,
    "model": ModelSpec,
    "enum": EnumSpec,
    "capability": CapabilitySpec,
    "feature": FeatureSpec,
}


def spec_json_schema() -> dict[str, Any]:
    """JSON Schema of one spec document (any kind), for editors."""
    from pydantic import TypeAdapter

    adapter: TypeAdapter[Any] = TypeAdapter(
        Annotated[
            OperationSpec | EventSpec | ModelSpec | EnumSpec | CapabilitySpec | FeatureSpec,
            Field(discriminator=None),
        ]
    )
    schema = adapter.json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://contractgen.dev/schema/contract-spec.json"
    schema["title"] = "contractgen contract spec"
    return schema
