from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.endpoint_envelope import EndpointEnvelope
from ...models.error_envelope import ErrorEnvelope
from ...types import Response


def _get_kwargs(
    id: int,
    *,
    org_handle: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["Org-Handle"] = org_handle

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v2/platform/webhooks/{id}/".format(
            id=quote(str(id), safe=""),
        ),
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> EndpointEnvelope | ErrorEnvelope | None:
    if response.status_code == 200:
        response_200 = EndpointEnvelope.from_dict(response.json())

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
    id: int,
    *,
    client: AuthenticatedClient,
    org_handle: str,
) -> Response[EndpointEnvelope | ErrorEnvelope]:
    """A webhook endpoint

    Args:
        id (int):
        org_handle (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EndpointEnvelope | ErrorEnvelope]
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
    id: int,
    *,
    client: AuthenticatedClient,
    org_handle: str,
) -> EndpointEnvelope | ErrorEnvelope | None:
    """A webhook endpoint

    Args:
        id (int):
        org_handle (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EndpointEnvelope | ErrorEnvelope
    """

    return sync_detailed(
        id=id,
        client=client,
        org_handle=org_handle,
    ).parsed


async def asyncio_detailed(
    id: int,
    *,
    client: AuthenticatedClient,
    org_handle: str,
) -> Response[EndpointEnvelope | ErrorEnvelope]:
    """A webhook endpoint

    Args:
        id (int):
        org_handle (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EndpointEnvelope | ErrorEnvelope]
    """

    kwargs = _get_kwargs(
        id=id,
        org_handle=org_handle,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: int,
    *,
    client: AuthenticatedClient,
    org_handle: str,
) -> EndpointEnvelope | ErrorEnvelope | None:
    """A webhook endpoint

    Args:
        id (int):
        org_handle (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EndpointEnvelope | ErrorEnvelope
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            org_handle=org_handle,
        )
    ).parsed
