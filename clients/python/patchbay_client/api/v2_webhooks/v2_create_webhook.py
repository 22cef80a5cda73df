from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.create_webhook_body import CreateWebhookBody
from ...models.endpoint_envelope import EndpointEnvelope
from ...models.error_envelope import ErrorEnvelope
from ...types import Response


def _get_kwargs(
    *,
    body: CreateWebhookBody,
    org_handle: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["Org-Handle"] = org_handle

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v2/platform/webhooks/",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> EndpointEnvelope | ErrorEnvelope | None:
    if response.status_code == 201:
        response_201 = EndpointEnvelope.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = ErrorEnvelope.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorEnvelope.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorEnvelope.from_dict(response.json())

        return response_403

    if response.status_code == 413:
        response_413 = ErrorEnvelope.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = ErrorEnvelope.from_dict(response.json())

        return response_415

    if response.status_code == 429:
        response_429 = ErrorEnvelope.from_dict(response.json())

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
) -> Response[EndpointEnvelope | ErrorEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateWebhookBody,
    org_handle: str,
) -> Response[EndpointEnvelope | ErrorEnvelope]:
    """Create a webhook endpoint; its signing secret is in this answer only

    Args:
        org_handle (str):
        body (CreateWebhookBody): Create body.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EndpointEnvelope | ErrorEnvelope]
    """

    kwargs = _get_kwargs(
        body=body,
        org_handle=org_handle,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: CreateWebhookBody,
    org_handle: str,
) -> EndpointEnvelope | ErrorEnvelope | None:
    """Create a webhook endpoint; its signing secret is in this answer only

    Args:
        org_handle (str):
        body (CreateWebhookBody): Create body.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EndpointEnvelope | ErrorEnvelope
    """

    return sync_detailed(
        client=client,
        body=body,
        org_handle=org_handle,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateWebhookBody,
    org_handle: str,
) -> Response[EndpointEnvelope | ErrorEnvelope]:
    """Create a webhook endpoint; its signing secret is in this answer only

    Args:
        org_handle (str):
        body (CreateWebhookBody): Create body.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EndpointEnvelope | ErrorEnvelope]
    """

    kwargs = _get_kwargs(
        body=body,
        org_handle=org_handle,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: CreateWebhookBody,
    org_handle: str,
) -> EndpointEnvelope | ErrorEnvelope | None:
    """Create a webhook endpoint; its signing secret is in this answer only

    Args:
        org_handle (str):
        body (CreateWebhookBody): Create body.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EndpointEnvelope | ErrorEnvelope
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            org_handle=org_handle,
        )
    ).parsed
