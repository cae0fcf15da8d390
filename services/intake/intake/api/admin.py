"""Staff manage the service catalogue and the licensed offices with their API keys."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter

from contracts import OfficeUpdatedV1
from intake.api.deps import OutboxDep, Repository
from intake.domain.catalogue import ServiceDefinition
from intake.domain.fees import DiscountRule
from intake.domain.offices import Office
from intake.store.repository import OFFICES
from servicekit.auth import Role, issue_api_key, require_roles
from servicekit.errors import Problem
from servicekit.outbox import envelopes

router = APIRouter(prefix="/v1", tags=["administration"], dependencies=[require_roles(Role.ADMIN)])
public = APIRouter(prefix="/v1", tags=["catalogue"])


@router.put(
    "/services/{service_code}", response_model=ServiceDefinition, summary="Create or replace a service"
)
async def put_service(service_code: str, service: ServiceDefinition, repo: Repository) -> ServiceDefinition:
    if service.service_code != service_code:
        raise Problem(422, "code_mismatch", "service_code in the body must match the path")
    await repo.save_service(service)
    return service


@public.get("/services", response_model=list[ServiceDefinition], summary="The service catalogue")
async def list_services(repo: Repository) -> list[ServiceDefinition]:
    return await repo.services()


@router.put(
    "/discount-rules/{rule_id}", response_model=DiscountRule, summary="Create or replace a discount rule"
)
async def put_discount_rule(rule_id: str, rule: DiscountRule, repo: Repository) -> DiscountRule:
    if rule.rule_id != rule_id:
        raise Problem(422, "code_mismatch", "rule_id in the body must match the path")
    await repo.save_discount_rule(rule)
    return rule


@public.get("/discount-rules", response_model=list[DiscountRule], summary="Discount rules (public policy)")
async def list_discount_rules(repo: Repository) -> list[DiscountRule]:
    return await repo.discount_rules()


@router.put("/offices/{office_code}", response_model=Office, summary="Create or replace an office")
async def put_office(office_code: str, office: Office, repo: Repository, outbox: OutboxDep) -> Office:
    if office.code != office_code:
        raise Problem(422, "code_mismatch", "code in the body must match the path")
    updated = OfficeUpdatedV1(
        office_code=office.code,
        name_fa=office.name_fa,
        status=str(office.status),
        callback_url=str(office.callback_url) if office.callback_url else None,
        signing_secret_ref=office.signing_secret_ref,
        updated_at=datetime.now(UTC),
    )
    await repo.save_office(office, envelopes("intake", updated))
    await outbox.relay(OFFICES, office.code)
    return office


@router.get("/offices/{office_code}", response_model=Office, summary="One office")
async def get_office(office_code: str, repo: Repository) -> Office:
    office = await repo.office(office_code)
    if office is None:
        raise Problem(404, "not_found", "no such office")
    return office


@router.post("/offices/{office_code}/keys", status_code=201, summary="Issue an API key (shown only now)")
async def issue_key(office_code: str, repo: Repository) -> dict[str, str]:
    if await repo.office(office_code) is None:
        raise Problem(404, "not_found", "no such office")
    key = issue_api_key()
    await repo.add_api_key(office_code, key.key_id, key.digest)
    return {"key_id": key.key_id, "api_key": key.plaintext}


@router.get("/offices/{office_code}/keys", summary="The office's keys (never the secrets)")
async def list_keys(office_code: str, repo: Repository) -> list[dict[str, Any]]:
    return await repo.api_keys(office_code)


@router.delete("/offices/{office_code}/keys/{key_id}", status_code=204, summary="Revoke a key")
async def revoke_key(office_code: str, key_id: str, repo: Repository) -> None:
    if not await repo.revoke_api_key(office_code, key_id):
        raise Problem(404, "not_found", "no such active key")
