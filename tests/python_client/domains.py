"""In-memory implementations of the test spec sets, as ContractServer handlers (not a test module).

``HarnessDomain`` implements the harness example domain (runs, steps,
evidence, targets, evaluations) the way a real service would, with the errors
the specs declare; ``KitchenDomain`` answers the kitchen operations with data
that reaches every field shape, echoing what it received so the tests can see
it.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from .server import Handler, Problem


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


class HarnessDomain:
    FINISHED = ("cancelled", "completed", "failed")

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self.targets: dict[str, dict[str, Any]] = {
            "tgt_preview": {
                "targetId": "tgt_preview",
                "kind": "preview",
                "isolation": "per-run",
                "environment": "preview",
                "baseUrl": "https://pr-1.preview.example.com",
                "allowlistedDomains": ["pr-1.preview.example.com"],
            },
            "tgt_shared": {
                "targetId": "tgt_shared",
                "kind": "shared",
                "isolation": "shared",
                "environment": "staging",
            },
        }
        self.runs: dict[str, dict[str, Any]] = {}
        self.artifacts: dict[str, dict[str, Any]] = {}
        self.evaluations: dict[str, dict[str, Any]] = {}

    def handlers(self) -> dict[str, Handler]:
        return {
            "harness.run.start": self.run_start,
            "harness.run.cancel": self.run_cancel,
            "harness.run.get": self.run_get,
            "harness.target.resolve": self.target_resolve,
            "harness.evidence.list": self.evidence_list,
            "harness.evidence.get": self.evidence_get,
            "harness.evaluation.run": self.evaluation_run,
            "harness.evaluation.get": self.evaluation_get,
        }

    def _id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._ids)}"

    def _target(self, target_id: str | None) -> dict[str, Any]:
        if target_id is None:
            return self.targets["tgt_shared"]
        if target_id not in self.targets:
            raise Problem("TARGET_NOT_FOUND", f"no target {target_id}", targetId=target_id)
        return self.targets[target_id]

    def _run(self, run_id: str) -> dict[str, Any]:
        if run_id not in self.runs:
            raise Problem("RUN_NOT_FOUND", f"no run {run_id}", runId=run_id)
        return self.runs[run_id]

    def _new_run(self, inp: dict[str, Any]) -> dict[str, Any]:
        if not inp.get("scenarioKey") and not inp.get("suiteKey"):
            raise Problem("SCENARIO_OR_SUITE_REQUIRED", "give scenarioKey or suiteKey")
        target = self._target(inp.get("targetId"))
        run_id = self._id("run")
        now = _now()
        step_id = self._id("step")
        run: dict[str, Any] = {
            "runId": run_id,
            "status": "running",
            "mode": inp.get("mode", "deterministic"),
            "target": target,
            "steps": [
                {
                    "stepId": step_id,
                    "stepKey": "open-page",
                    "runId": run_id,
                    "mode": "browser",
                    "actionClass": "read",
                    "verdict": "allowed",
                    "requiresApproval": False,
                    "status": "completed",
                    "startedAt": now,
                    "completedAt": now,
                }
            ],
            "evidenceCount": 2,
            "createdAt": now,
            "updatedAt": now,
        }
        for key in ("scenarioKey", "suiteKey", "controlPlaneExecutionId"):
            if key in inp:
                run[key] = inp[key]
        self.runs[run_id] = run
        for kind, step in (("screenshot", step_id), ("log", None)):
            artifact_id = self._id("art")
            artifact: dict[str, Any] = {
                "artifactId": artifact_id,
                "kind": kind,
                "runId": run_id,
                "uri": f"s3://evidence/{artifact_id}",
                "createdAt": now,
                "metadata": {"size": 10},
            }
            if step:
                artifact["stepId"] = step
            self.artifacts[artifact_id] = artifact
        return run

    def run_start(self, inp: dict[str, Any]) -> dict[str, Any]:
        return {"run": self._new_run(inp)}

    def run_cancel(self, inp: dict[str, Any]) -> dict[str, Any]:
        run = self._run(inp["runId"])
        if run["status"] in self.FINISHED:
            raise Problem("RUN_ALREADY_FINISHED", f"run is {run['status']}", runId=run["runId"])
        run["status"] = "cancelled"
        run["updatedAt"] = _now()
        if "reason" in inp:
            run["cancelReason"] = inp["reason"]
        return {"runId": run["runId"], "status": run["status"], "cancelledAt": run["updatedAt"]}

    def run_get(self, inp: dict[str, Any]) -> dict[str, Any]:
        run = {k: v for k, v in self._run(inp["runId"]).items() if k != "cancelReason"}
        return {"run": run}

    def target_resolve(self, inp: dict[str, Any]) -> dict[str, Any]:
        if "targetId" in inp:
            target = dict(self._target(inp["targetId"]))
        else:
            wanted = inp.get("isolation")
            target = dict(
                next(
                    (t for t in self.targets.values() if t["isolation"] == wanted),
                    self.targets["tgt_shared"],
                )
            )
        for key in ("baseUrl", "allowlistedDomains", "metadata"):
            if key in inp:
                target[key] = inp[key]
        return {"target": target}

    def evidence_list(self, inp: dict[str, Any]) -> dict[str, Any]:
        self._run(inp["runId"])
        found = [
            a
            for a in self.artifacts.values()
            if a["runId"] == inp["runId"]
            and ("stepId" not in inp or a.get("stepId") == inp["stepId"])
            and ("kind" not in inp or a["kind"] == inp["kind"])
        ]
        return {"artifacts": found, "total": len(found)}

    def evidence_get(self, inp: dict[str, Any]) -> dict[str, Any]:
        if inp["artifactId"] not in self.artifacts:
            raise Problem("ARTIFACT_NOT_FOUND", "no such artifact", artifactId=inp["artifactId"])
        return {"artifact": self.artifacts[inp["artifactId"]]}

    def evaluation_run(self, inp: dict[str, Any]) -> dict[str, Any]:
        run = self._new_run(inp)
        run["status"] = "completed"
        evaluation_id = self._id("eval")
        evaluation: dict[str, Any] = {
            "evaluationId": evaluation_id,
            "runId": run["runId"],
            "scenarioKey": inp.get("scenarioKey") or inp["suiteKey"],
            "status": "passed",
            "assertions": [
                {"assertionKey": "page-loads", "status": "passed", "evidenceArtifactIds": []},
                {"assertionKey": "no-errors", "status": "passed", "message": "clean console"},
            ],
            "evidenceCount": 2,
            "startedAt": run["createdAt"],
            "completedAt": _now(),
        }
        if "suiteKey" in inp:
            evaluation["suiteKey"] = inp["suiteKey"]
        self.evaluations[evaluation_id] = evaluation
        return {"evaluation": evaluation}

    def evaluation_get(self, inp: dict[str, Any]) -> dict[str, Any]:
        if inp["evaluationId"] not in self.evaluations:
            raise Problem("EVALUATION_NOT_FOUND", "no such evaluation")
        return {"evaluation": self.evaluations[inp["evaluationId"]]}


def kitchen_order(order_id: str, **extra: Any) -> dict[str, Any]:
    """An order that sets every field the Order model has."""
    order: dict[str, Any] = {
        "orderId": order_id,
        "status": "2x",
        "lines": [{"sku": "BOOK-1", "qty": 2, "unitPrice": 9.5}, {"sku": "PEN"}],
        "class": "gold",
        "schema": "v2",
        "type": "retail",
        "date": "2026-01-02",
        "datetime": "2026-01-02T03:04:05Z",
        "placedAt": "2026-01-02T03:04:05+01:00",
        "at": "12:30:00",
        "note": None,
        "tags": ["a", "b"],
        "meta": {"k": [1, 2]},
        "anything": [1, "x", None],
        "email": "ann@example.com",
        "site": "https://example.com/a?b=c",
        "phone": "+4912345678",
        "parent": {
            "orderId": "parent",
            "lines": [],
            "placedAt": "2026-01-01T00:00:00Z",
            "note": "p",
        },
        "invoice": {"invoiceId": "inv_1", "total": 19.0},
        "legacyCode": "L1",
    }
    order.update(extra)
    return order


class KitchenDomain:
    def handlers(self) -> dict[str, Handler]:
        return {
            "shop.order.get": self.order_get,
            "shop.order.create": self.order_create,
            "shop.order.cancel": self.order_cancel,
            "shop.order.replace": self.order_replace,
            "shop.order.delete": lambda inp: {"deleted": inp.get("hard", False)},
            "shop.order.list": lambda inp: {"orders": [kitchen_order("o1")], "total": 1},
            "shop.order.list@1.0.0": lambda inp: {"orders": []},
            "shop.status.ping": lambda inp: {"ok": True},
            "billing.invoice.get": self.invoice_get,
            "hostile.text.echo": self.echo,
        }

    def order_get(self, inp: dict[str, Any]) -> dict[str, Any]:
        if inp["orderId"] == "missing":
            raise Problem("ORDER_NOT_FOUND", "no such order", orderId="missing")
        return kitchen_order(inp["orderId"], meta={"query": inp})

    def order_create(self, inp: dict[str, Any]) -> dict[str, Any]:
        return kitchen_order(
            "new",
            lines=inp["lines"],
            note=inp["note"],
            status=inp.get("status", "pending"),
            meta={"body": inp},
        )

    def order_cancel(self, inp: dict[str, Any]) -> None:
        if inp["orderId"] == "missing":
            raise Problem("ORDER_NOT_FOUND", "no such order")
        if inp["orderId"] == "done":
            raise Problem("ORDER_ALREADY_DONE", "order is done")
        return None

    def order_replace(self, inp: dict[str, Any]) -> dict[str, Any]:
        return kitchen_order(inp["orderId"], note=inp["note"])

    def invoice_get(self, inp: dict[str, Any]) -> dict[str, Any]:
        if inp["invoiceId"] == "missing":
            raise Problem("INVOICE_NOT_FOUND", "no such invoice")
        return {"invoiceId": inp["invoiceId"], "total": 3.5, "order": kitchen_order("o9")}

    def echo(self, inp: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"text": inp["text"], "mode": 'a"b'}
        if 'weird"key' in inp:
            out['weird"key'] = inp['weird"key']
        return out
