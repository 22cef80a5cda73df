from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...models.outbound_envelope import OutboundEnvelope
from ...models.outbound_request import OutboundRequest
from ...models.paced_envelope import PacedEnvelope
from ...types import Response


def _get_kwargs(
    *,
    body: OutboundRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v2/platform/telephony/routes/outbound/",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | OutboundEnvelope | PacedEnvelope | None:
    if response.status_code == 200:
        response_200 = OutboundEnvelope.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorEnvelope.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorEnvelope.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorEnvelope.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorEnvelope.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = ErrorEnvelope.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = ErrorEnvelope.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = ErrorEnvelope.from_dict(response.json())

        return response_415

    if response.status_code == 429:
        response_429 = PacedEnvelope.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = ErrorEnvelope.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = ErrorEnvelope.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorEnvelope | OutboundEnvelope | PacedEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: OutboundRequest,
) -> Response[ErrorEnvelope | OutboundEnvelope | PacedEnvelope]:
    """The trunk that places a call, with its password (service tokens only)

     From a number (`from`) or a bridge (`organization` + `bridge`; its first number is the caller id):
    the carrier, termination URI, server, transport, domain, auth user and password, and caller id. The
    only answer that carries a secret: `Cache-Control: no-store`, never logged, never kept for
    `Idempotency-Key` (which these routes ignore); every release is recorded in the organization's audit
    trail (`route.secret_released`). Beyond the credential's `cpsLimit` (per credential, or shared by
    `cpsKey`, across instances): 429 with `Retry-After` and `retry_after_ms`. 404 for an unknown number
    or bridge; 409 with `errors.reason` (`number_inactive`, `draft_bridge`, `configuration_failed`,
    `no_trunk`).

    Args:
        body (OutboundRequest): `{"from", "to"}`, or `{"organization", "bridge", "to"}`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | OutboundEnvelope | PacedEnvelope]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: OutboundRequest,
) -> ErrorEnvelope | OutboundEnvelope | PacedEnvelope | None:
    """The trunk that places a call, with its password (service tokens only)

     From a number (`from`) or a bridge (`organization` + `bridge`; its first number is the caller id):
    the carrier, termination URI, server, transport, domain, auth user and password, and caller id. The
    only answer that carries a secret: `Cache-Control: no-store`, never logged, never kept for
    `Idempotency-Key` (which these routes ignore); every release is recorded in the organization's audit
    trail (`route.secret_released`). Beyond the credential's `cpsLimit` (per credential, or shared by
    `cpsKey`, across instances): 429 with `Retry-After` and `retry_after_ms`. 404 for an unknown number
    or bridge; 409 with `errors.reason` (`number_inactive`, `draft_bridge`, `configuration_failed`,
    `no_trunk`).

    Args:
        body (OutboundRequest): `{"from", "to"}`, or `{"organization", "bridge", "to"}`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | OutboundEnvelope | PacedEnvelope
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: OutboundRequest,
) -> Response[ErrorEnvelope | OutboundEnvelope | PacedEnvelope]:
    """The trunk that places a call, with its password (service tokens only)

     From a number (`from`) or a bridge (`organization` + `bridge`; its first number is the caller id):
    the carrier, termination URI, server, transport, domain, auth user and password, and caller id. The
    only answer that carries a secret: `Cache-Control: no-store`, never logged, never kept for
    `Idempotency-Key` (which these routes ignore); every release is recorded in the organization's audit
    trail (`route.secret_released`). Beyond the credential's `cpsLimit` (per credential, or shared by
    `cpsKey`, across instances): 429 with `Retry-After` and `retry_after_ms`. 404 for an unknown number
    or bridge; 409 with `errors.reason` (`number_inactive`, `draft_bridge`, `configuration_failed`,
    `no_trunk`).

    Args:
        body (OutboundRequest): `{"from", "to"}`, or `{"organization", "bridge", "to"}`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | OutboundEnvelope | PacedEnvelope]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: OutboundRequest,
) -> ErrorEnvelope | OutboundEnvelope | PacedEnvelope | None:
    """The trunk that places a call, with its password (service tokens only)

     From a number (`from`) or a bridge (`organization` + `bridge`; its first number is the caller id):
    the carrier, termination URI, server, transport, domain, auth user and password, and caller id. The
    only answer that carries a secret: `Cache-Control: no-store`, never logged, never kept for
    `Idempotency-Key` (which these routes ignore); every release is recorded in the organization's audit
    trail (`route.secret_released`). Beyond the credential's `cpsLimit` (per credential, or shared by
    `cpsKey`, across instances): 429 with `Retry-After` and `retry_after_ms`. 404 for an unknown number
    or bridge; 409 with `errors.reason` (`number_inactive`, `draft_bridge`, `configuration_failed`,
    `no_trunk`).

    Args:
        body (OutboundRequest): `{"from", "to"}`, or `{"organization", "bridge", "to"}`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | OutboundEnvelope | PacedEnvelope
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
