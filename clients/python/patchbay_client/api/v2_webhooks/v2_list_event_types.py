from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...models.event_type_list import EventTypeList
from ...types import Response


def _get_kwargs(
    *,
    org_handle: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["Org-Handle"] = org_handle

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v2/platform/webhooks/event-types/",
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | EventTypeList | None:
    if response.status_code == 200:
        response_200 = EventTypeList.from_dict(response.json())

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
) -> Response[ErrorEnvelope | EventTypeList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    org_handle: str,
) -> Response[ErrorEnvelope | EventTypeList]:
    """Every event type, with what it announces

    Args:
        org_handle (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | EventTypeList]
    """

    kwargs = _get_kwargs(
        org_handle=org_handle,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    org_handle: str,
) -> ErrorEnvelope | EventTypeList | None:
    """Every event type, with what it announces

    Args:
        org_handle (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | EventTypeList
    """

    return sync_detailed(
        client=client,
        org_handle=org_handle,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    org_handle: str,
) -> Response[ErrorEnvelope | EventTypeList]:
    """Every event type, with what it announces

    Args:
        org_handle (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | EventTypeList]
    """

    kwargs = _get_kwargs(
        org_handle=org_handle,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    org_handle: str,
) -> ErrorEnvelope | EventTypeList | None:
    """Every event type, with what it announces

    Args:
        org_handle (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | EventTypeList
    """

    return (
        await asyncio_detailed(
            client=client,
            org_handle=org_handle,
        )
    ).parsed
