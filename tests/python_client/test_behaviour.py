"""The generated clients against real servers on 127.0.0.1 (FastAPI + uvicorn).

Every test that calls an operation runs twice, through ``Client`` and through
``AsyncClient`` (the ``api`` fixture). The servers implement the harness
domain and the kitchen spec set in memory and check every request strictly
against the IR (see server.py).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time
from types import ModuleType
from typing import Any

import httpx
import pydantic
import pytest
from tools import free_port

from .conftest import Generated, import_generated
from .domains import HarnessDomain, KitchenDomain
from .server import ContractServer
from .values import client_call, sample_args

FAST_RETRY: dict[str, Any] = {"backoff_initial": 0.01, "backoff_max": 0.02, "jitter": 0.0}


@pytest.fixture(scope="module")
def harness_server(harness: Generated) -> Iterator[ContractServer]:
    server = ContractServer(harness.contracts, HarnessDomain().handlers())
    server.start(free_port())
    yield server
    server.stop()


@pytest.fixture(scope="module")
def kitchen_server(kitchen: Generated) -> Iterator[ContractServer]:
    server = ContractServer(kitchen.contracts, KitchenDomain().handlers())
    server.start(free_port())
    yield server
    server.stop()


class Api:
    """Calls through the sync or the async client, so one test covers both.

    ``api(lambda c: c.x.y(...))``: the lambda gets an open client; for the
    async client its result is awaited.
    """

    def __init__(self, mode: str, package: ModuleType, base_url: str, **options: Any) -> None:
        self.mode = mode
        self.package = package
        self.base_url = base_url
        self.options = options

    def __call__(self, fn: Callable[[Any], Any], **options: Any) -> Any:
        opts = {**self.options, **options}
        if self.mode == "sync":
            with self.package.Client(self.base_url, **opts) as client:
                return fn(client)

        async def run() -> Any:
            async with self.package.AsyncClient(self.base_url, **opts) as client:
                return await fn(client)

        return asyncio.run(run())


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def hapi(mode: str, harness: Generated, harness_server: ContractServer) -> Api:
    return Api(mode, import_generated(harness), harness_server.base_url, token="tok-harness")


@pytest.fixture
def kapi(mode: str, kitchen: Generated, kitchen_server: ContractServer) -> Api:
    return Api(mode, import_generated(kitchen), kitchen_server.base_url, token="tok-kitchen")


# -- harness: the whole domain, through both clients ------------------------------------------


def test_harness_operations_round_trip(hapi: Api, harness: Generated) -> None:
    models = import_generated(harness, "models")
    errors = import_generated(harness, "errors")

    started = hapi(
        lambda c: c.harness.run.start(
            scenario_key="checkout", mode="browser", target_id="tgt_preview", metadata={"pr": 1}
        )
    )
    assert isinstance(started, models.HarnessRunStartOutput)
    run = started.run
    assert isinstance(run, models.HarnessRun) and run.scenario_key == "checkout"
    assert run.target.target_id == "tgt_preview" and run.mode == "browser"
    assert isinstance(run.created_at, datetime) and run.created_at.tzinfo is not None
    assert isinstance(run.steps[0], models.HarnessStep) and run.steps[0].requires_approval is False

    got = hapi(lambda c: c.harness.run.get(run_id=run.run_id))
    assert got.run.run_id == run.run_id and got.run.status == "running"

    listed = hapi(lambda c: c.harness.evidence.list(run_id=run.run_id))
    assert listed.total == 2 and {a.kind for a in listed.artifacts} == {"screenshot", "log"}
    step_id = run.steps[0].step_id
    only = hapi(lambda c: c.harness.evidence.list(run_id=run.run_id, step_id=step_id))
    assert [a.step_id for a in only.artifacts] == [step_id]
    artifact = hapi(lambda c: c.harness.evidence.get(artifact_id=only.artifacts[0].artifact_id))
    assert isinstance(artifact.artifact, models.EvidenceArtifact)
    assert artifact.artifact.metadata == {"size": 10}

    target = hapi(
        lambda c: c.harness.target.resolve(isolation="per-run", allowlisted_domains=["a.example"])
    )
    assert target.target.target_id == "tgt_preview"
    assert target.target.allowlisted_domains == ["a.example"]

    evaluation = hapi(lambda c: c.harness.evaluation.run(suite_key="smoke"))
    assert evaluation.evaluation.status == "passed" and evaluation.evaluation.suite_key == "smoke"
    assert evaluation.evaluation.assertions[1].message == "clean console"
    again = hapi(
        lambda c: c.harness.evaluation.get(evaluation_id=evaluation.evaluation.evaluation_id)
    )
    assert again.evaluation == evaluation.evaluation

    cancelled = hapi(lambda c: c.harness.run.cancel(run_id=run.run_id, reason="operator abort"))
    assert cancelled.status == "cancelled" and isinstance(cancelled.cancelled_at, datetime)
    with pytest.raises(errors.RunAlreadyFinishedError) as info:
        hapi(lambda c: c.harness.run.cancel(run_id=run.run_id))
    exc = info.value
    assert isinstance(exc, errors.ApiError) and isinstance(exc, errors.ClientError)
    assert exc.status == 409 and exc.code == "RUN_ALREADY_FINISHED"
    assert exc.body is not None and exc.body.detail == "run is cancelled"
    assert exc.body.model_extra == {"runId": run.run_id}


def test_harness_domain_errors(hapi: Api, harness: Generated) -> None:
    errors = import_generated(harness, "errors")
    with pytest.raises(errors.ScenarioOrSuiteRequiredError) as missing:
        hapi(lambda c: c.harness.run.start(mode="browser"))
    assert missing.value.status == 400
    with pytest.raises(errors.RunNotFoundError):
        hapi(lambda c: c.harness.run.get(run_id="run_nope"))
    with pytest.raises(errors.TargetNotFoundError):
        hapi(lambda c: c.harness.target.resolve(target_id="tgt_nope"))
    with pytest.raises(errors.ArtifactNotFoundError):
        hapi(lambda c: c.harness.evidence.get(artifact_id="art_nope"))


def test_every_declared_error_raises_its_class(
    hapi: Api, kapi: Api, harness: Generated, kitchen: Generated
) -> None:
    for gen, api in ((harness, hapi), (kitchen, kapi)):
        models = import_generated(gen, "models")
        errors = import_generated(gen, "errors")
        for op in gen.contracts.operations:
            args = sample_args(gen.contracts, models, op)
            for err in op.errors:
                cls = getattr(errors, err.py_class)
                with pytest.raises(cls) as info:
                    api(
                        lambda c, op=op, args=args: client_call(c, op)(**args),
                        headers={"X-Test-Error": err.code},
                    )
                assert type(info.value) is cls, (op.key, err.code)
                assert cls.error_code == err.code and cls.http_status == err.http
                assert info.value.status == err.http and info.value.code == err.code
                assert (
                    info.value.body is not None and info.value.body.detail == f"forced {err.code}"
                )


def test_undeclared_error_is_unexpected_status(hapi: Api, harness: Generated) -> None:
    errors = import_generated(harness, "errors")
    with pytest.raises(errors.UnexpectedStatusError) as info:
        hapi(lambda c: c.harness.run.get(run_id="x"), headers={"X-Test-Error": "TEAPOT"})
    assert info.value.status == 418 and info.value.code == "TEAPOT"


# -- auth --------------------------------------------------------------------------------------


def test_bearer_token_and_api_key_arrive(
    kapi: Api, kitchen_server: ContractServer, hapi: Api, harness_server: ContractServer
) -> None:
    run = hapi(lambda c: c.harness.run.start(suite_key="s"))
    assert harness_server.last("harness.run.start").headers["authorization"] == "Bearer tok-harness"
    assert run.run.suite_key == "s"

    kapi(lambda c: c.shop.order.get(order_id="o1"), api_key="key-1")
    seen = kitchen_server.last("shop.order.get").headers
    assert seen["authorization"] == "Bearer tok-kitchen"
    assert seen["x-kitchen-key"] == "key-1"  # the configured api_key_header
    assert seen["user-agent"] == "kitchen-client/2.1.0"


def test_anonymous_operation_sends_no_credentials(
    kapi: Api, kitchen_server: ContractServer
) -> None:
    assert kapi(lambda c: c.shop.status.ping(), api_key="key-1").ok is True
    seen = kitchen_server.last("shop.status.ping").headers
    assert "authorization" not in seen and "x-kitchen-key" not in seen


# -- retries and timeouts ----------------------------------------------------------------------


def test_idempotent_operation_is_retried(
    hapi: Api, harness: Generated, harness_server: ContractServer
) -> None:
    pkg = import_generated(harness)
    run = hapi(lambda c: c.harness.run.start(scenario_key="retry"))
    key = uuid.uuid4().hex
    before = harness_server.count("harness.run.get")
    got = hapi(
        lambda c: c.harness.run.get(run_id=run.run.run_id),
        headers={"X-Test-Flaky": key},
        retry=pkg.RetryPolicy(**FAST_RETRY),
    )
    assert got.run.run_id == run.run.run_id
    assert harness_server.count("harness.run.get") - before == 3  # 503, 503, 200


def test_command_that_is_not_idempotent_is_not_retried(
    hapi: Api, harness: Generated, harness_server: ContractServer
) -> None:
    pkg = import_generated(harness)
    errors = import_generated(harness, "errors")
    before = harness_server.count("harness.run.start")
    with pytest.raises(errors.UnexpectedStatusError) as info:
        hapi(
            lambda c: c.harness.run.start(scenario_key="once"),
            headers={"X-Test-Flaky": uuid.uuid4().hex},
            retry=pkg.RetryPolicy(**FAST_RETRY),
        )
    assert info.value.status == 503
    assert harness_server.count("harness.run.start") - before == 1


def test_idempotent_command_is_retried(
    kapi: Api, kitchen: Generated, kitchen_server: ContractServer
) -> None:
    pkg = import_generated(kitchen)
    before = kitchen_server.count("shop.order.replace")
    order = kapi(
        lambda c: c.shop.order.replace(order_id="o1", note="n"),
        headers={"X-Test-Flaky": uuid.uuid4().hex},
        retry=pkg.RetryPolicy(**FAST_RETRY),
    )
    assert order.note == "n"
    assert kitchen_server.count("shop.order.replace") - before == 3


def test_slow_answer_raises_timeout(hapi: Api, harness: Generated) -> None:
    errors = import_generated(harness, "errors")
    with pytest.raises(errors.RequestTimeoutError) as info:
        hapi(
            lambda c: c.harness.run.get(run_id="x"),
            headers={"X-Test-Delay": "2"},
            timeout=0.2,
            retry=None,
        )
    assert isinstance(info.value, errors.TransportError)


def test_user_supplied_http_client_is_used_and_left_open(
    mode: str, harness: Generated, harness_server: ContractServer
) -> None:
    pkg = import_generated(harness)
    seen: list[str] = []
    if mode == "sync":
        http = httpx.Client(event_hooks={"request": [lambda r: seen.append(str(r.url))]})
        with pkg.Client(harness_server.base_url, token="t", http_client=http) as client:
            client.harness.run.start(scenario_key="own-client")
        assert not http.is_closed
        http.close()
    else:

        async def hook(r: httpx.Request) -> None:
            seen.append(str(r.url))

        async def run() -> None:
            http = httpx.AsyncClient(event_hooks={"request": [hook]})
            async with pkg.AsyncClient(harness_server.base_url, token="t", http_client=http) as c:
                await c.harness.run.start(scenario_key="own-client")
            assert not http.is_closed
            await http.aclose()

        asyncio.run(run())
    assert seen == [harness_server.base_url + "/harness/runs"]


# -- kitchen: the HTTP mapping, field shapes and names ------------------------------------------


def test_path_query_and_typed_output(
    kapi: Api, kitchen: Generated, kitchen_server: ContractServer
) -> None:
    models = import_generated(kitchen, "models")
    since = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    order = kapi(
        lambda c: c.shop.order.get(
            order_id="a b+c",
            expand=["lines", "invoice"],
            status=models.OrderStatus.VALUE_2X,
            since=since,
            flag=False,
        )
    )
    seen = kitchen_server.last("shop.order.get")
    assert seen.method == "GET" and seen.body is None
    assert seen.query == [
        ("expand", "lines"),
        ("expand", "invoice"),
        ("status", "2x"),
        ("since", "2026-03-04T05:06:07+00:00"),
        ("limit", "10"),
        ("flag", "false"),
    ]
    assert order.meta["query"]["orderId"] == "a b+c"
    assert isinstance(order, models.Order)
    assert order.status is models.OrderStatus.VALUE_2X
    assert (order.class_, order.schema_, order.type) == ("gold", "v2", "retail")
    assert order.date == date(2026, 1, 2) and order.at == time(12, 30)
    assert order.datetime == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert order.note is None and order.tags == ["a", "b"] and order.anything == [1, "x", None]
    assert order.site == "https://example.com/a?b=c"  # URL stays the text that was sent
    assert isinstance(order.parent, models.Order) and order.parent.order_id == "parent"
    assert isinstance(order.invoice, models.Invoice) and order.invoice.currency == "EUR"
    assert order.lines[1].qty == 1 and order.lines[0].unit_price == 9.5
    assert order.model_dump(by_alias=True, mode="json")["class"] == "gold"


def test_body_uses_wire_names_and_leaves_out_unset(
    kapi: Api, kitchen: Generated, kitchen_server: ContractServer
) -> None:
    models = import_generated(kitchen, "models")
    line = models.OrderLine(sku="BOOK-1", unit_price=2.5)
    order = kapi(
        lambda c: c.shop.order.create(
            lines=[line], note=None, class_="gold", from_="web", self="me"
        )
    )
    body = kitchen_server.last("shop.order.create").body
    assert body == {
        "lines": [{"sku": "BOOK-1", "unitPrice": 2.5}],
        "note": None,
        "class": "gold",
        "from": "web",
        "self": "me",
        "status": "in_progress",
    }
    assert order.status is models.OrderStatus.IN_PROGRESS and order.note is None


def test_no_output_and_path_body_split(
    kapi: Api, kitchen: Generated, kitchen_server: ContractServer
) -> None:
    errors = import_generated(kitchen, "errors")
    assert kapi(lambda c: c.shop.order.cancel(order_id="o1", reason="late")) is None
    seen = kitchen_server.last("shop.order.cancel")
    assert (seen.method, seen.path, seen.body) == (
        "POST",
        "/shop/orders/o1/cancel",
        {"reason": "late"},
    )
    assert kapi(lambda c: c.shop.order.cancel(order_id="o2")) is None
    assert kitchen_server.last("shop.order.cancel").body == {}
    with pytest.raises(errors.OrderAlreadyDoneError):
        kapi(lambda c: c.shop.order.cancel(order_id="done"))
    with pytest.raises(errors.OrderNotFoundError):
        kapi(lambda c: c.shop.order.cancel(order_id="missing"))


def test_delete_admin_and_versions(kapi: Api, kitchen_server: ContractServer) -> None:
    assert kapi(lambda c: c.shop.order.delete(order_id="o1")).deleted is False
    assert kitchen_server.last("shop.order.delete").query == [("hard", "false")]
    assert kapi(lambda c: c.shop.order.delete(order_id="o1", hard=True)).deleted is True
    v2 = kapi(lambda c: c.shop.order.list(status=["pending", "done"], limit=5))
    assert v2.total == 1 and v2.orders[0].order_id == "o1"
    assert kitchen_server.last("shop.order.list").query == [
        ("status", "pending"),
        ("status", "done"),
        ("limit", "5"),
    ]
    v1 = kapi(lambda c: c.shop.order.list_v1_0_0())
    assert v1.orders == [] and not hasattr(v1, "total")
    assert kitchen_server.last("shop.order.list@1.0.0").path == "/v1/shop/order/list"


def test_hostile_text_round_trips(kapi: Api, kitchen: Generated) -> None:
    text = 'He said """hi""" \\ {{ x }} {% if %}\r\n\'q\' "d"'
    out = kapi(lambda c: c.hostile.text.echo(text=text, weird_key='a"b'))
    assert out.text == text and out.weird_key == 'a"b'
    models = import_generated(kitchen, "models")
    assert out.mode is models.HostileMode.A_B


def test_invalid_arguments_fail_before_sending(
    kapi: Api, kitchen: Generated, kitchen_server: ContractServer
) -> None:
    before = len(kitchen_server.received)
    with pytest.raises(pydantic.ValidationError):
        kapi(lambda c: c.shop.order.get(order_id="o1", limit=0))
    with pytest.raises(pydantic.ValidationError):
        kapi(lambda c: c.billing.invoice.get(invoice_id=None))
    assert len(kitchen_server.received) == before


def test_response_that_does_not_match_raises_decode_error(
    mode: str, kitchen: Generated, kitchen_server: ContractServer
) -> None:
    pkg = import_generated(kitchen)
    errors = import_generated(kitchen, "errors")

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"orders": "not a list"})

    api = Api(mode, pkg, "http://127.0.0.1:9", token="t")
    http: Any = httpx.Client if mode == "sync" else httpx.AsyncClient
    with pytest.raises(errors.ResponseDecodeError):
        api(
            lambda c: c.shop.order.list_v1_0_0(),
            http_client=http(transport=httpx.MockTransport(answer)),
        )
