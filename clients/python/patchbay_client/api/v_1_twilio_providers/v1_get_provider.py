from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.twilio_provider import TwilioProvider
from ...types import UNSET, Response, Unset


def _get_kwargs(
    id: UUID,
    *,
    org_handle: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(org_handle, Unset):
        headers["Org-Handle"] = org_handle

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/providers/{id}".format(
            id=quote(str(id), safe=""),
        ),
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | TwilioProvider | None:
    if response.status_code == 200:
        response_200 = TwilioProvider.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = Problem.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | TwilioProvider]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: UUID,
    *,
    client: AuthenticatedClient,
    org_handle: str | Unset = UNSET,
) -> Response[Problem | TwilioProvider]:
    """Get a provider

    Args:
        id (UUID):
        org_handle (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TwilioProvider]
    """

    kwargs = _get_kwargs(
        id=id,
        org_handle=org_handle,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: UUID,
    *,
    client: AuthenticatedClient,
    org_handle: str | Unset = UNSET,
) -> Problem | TwilioProvider | None:
    """Get a provider

    Args:
        id (UUID):
        org_handle (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TwilioProvider
    """

    return sync_detailed(
        id=id,
        client=client,
        org_handle=org_handle,
    ).parsed


async def asyncio_detailed(
    id: UUID,
    *,
    client: AuthenticatedClient,
    org_handle: str | Unset = UNSET,
) -> Response[Problem | TwilioProvider]:
    """Get a provider

    Args:
        id (UUID):
        org_handle (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TwilioProvider]
    """

    kwargs = _get_kwargs(
        id=id,
        org_handle=org_handle,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: UUID,
    *,
    client: AuthenticatedClient,
    org_handle: str | Unset = UNSET,
) -> Problem | TwilioProvider | None:
    """Get a provider

    Args:
        id (UUID):
        org_handle (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TwilioProvider
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            org_handle=org_handle,
        )
    ).parsed
