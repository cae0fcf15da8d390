"""What SMS providers call back with: delivery receipts and replies (the unsubscribe keyword)."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Request
from persiantools.digits import fa_to_en
from pydantic import BaseModel, ConfigDict, Field

from notify.api.subscriptions import StoreDep
from notify.domain.model import CONSULTATIONS_TOPIC
from notify.domain.phones import InvalidMobile, normalise_mobile
from notify.store.operations import Operations
from servicekit.errors import Problem

router = APIRouter(prefix="/v1/provider", tags=["provider callbacks"])
STOP_WORDS = frozenset({"لغو", "stop", "11", "انصراف"})


def provider_token(request: Request, x_provider_token: Annotated[str | None, Header()] = None) -> None:
    expected = request.app.state.settings.receipts_token
    if expected is None or x_provider_token is None:
        raise Problem(401, "missing_token", "an X-Provider-Token header is required")
    if not hmac.compare_digest(expected.get_secret_value().encode(), x_provider_token.encode()):
        raise Problem(401, "invalid_token", "the provider token is not recognised")


def operations(request: Request) -> Operations:
    found: Operations = request.app.state.operations
    return found


class ReceiptIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    reference: str = Field(
        min_length=1, max_length=100, description="our client reference or their message id"
    )
    status: Literal["delivered", "failed"]
    at: datetime | None = None


class InboundIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    sender: str = Field(alias="from", min_length=5, max_length=20)
    text: str = Field(max_length=1000)


@router.post("/receipts", summary="A delivery receipt; repeats are answered 200 and ignored")
async def receipt(
    body: ReceiptIn,
    ops: Annotated[Operations, Depends(operations)],
    _: Annotated[None, Depends(provider_token)],
) -> dict[str, bool]:
    recorded = await ops.receipt(body.reference, body.status, body.at or datetime.now(UTC))
    return {"recorded": recorded}


@router.post("/inbound", summary="A reply to the sender line; the keyword لغو (or STOP) unsubscribes")
async def inbound(
    body: InboundIn, store: StoreDep, _: Annotated[None, Depends(provider_token)]
) -> dict[str, bool]:
    word = str(fa_to_en(body.text.strip().lower()))
    if word not in STOP_WORDS:
        return {"unsubscribed": False}
    try:
        mobile = normalise_mobile(body.sender)
    except InvalidMobile:
        return {"unsubscribed": False}
    await store.unsubscribe_contact(CONSULTATIONS_TOPIC, mobile)
    await store.set_opt_out(mobile, CONSULTATIONS_TOPIC, True)
    return {"unsubscribed": True}
