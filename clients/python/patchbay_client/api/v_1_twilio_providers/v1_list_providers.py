from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.twilio_provider_list import TwilioProviderList
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    skip: int | Unset = UNSET,
    take: int | Unset = UNSET,
    org_handle: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(org_handle, Unset):
        headers["Org-Handle"] = org_handle

    params: dict[str, Any] = {}

    params["skip"] = skip

    params["take"] = take

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/providers",
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | TwilioProviderList | None:
    if response.status_code == 200:
        response_200 = TwilioProviderList.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

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
) -> Response[Problem | TwilioProviderList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    skip: int | Unset = UNSET,
    take: int | Unset = UNSET,
    org_handle: str | Unset = UNSET,
) -> Response[Problem | TwilioProviderList]:
    """List the organization's Twilio providers

    Args:
        skip (int | Unset):
        take (int | Unset):
        org_handle (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TwilioProviderList]
    """

    kwargs = _get_kwargs(
        skip=skip,
        take=take,
        org_handle=org_handle,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    skip: int | Unset = UNSET,
    take: int | Unset = UNSET,
    org_handle: str | Unset = UNSET,
) -> Problem | TwilioProviderList | None:
    """List the organization's Twilio providers

    Args:
        skip (int | Unset):
        take (int | Unset):
        org_handle (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TwilioProviderList
    """

    return sync_detailed(
        client=client,
        skip=skip,
        take=take,
        org_handle=org_handle,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    skip: int | Unset = UNSET,
    take: int | Unset = UNSET,
    org_handle: str | Unset = UNSET,
) -> Response[Problem | TwilioProviderList]:
    """List the organization's Twilio providers

    Args:
        skip (int | Unset):
        take (int | Unset):
        org_handle (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TwilioProviderList]
    """

    kwargs = _get_kwargs(
        skip=skip,
        take=take,
        org_handle=org_handle,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    skip: int | Unset = UNSET,
    take: int | Unset = UNSET,
    org_handle: str | Unset = UNSET,
) -> Problem | TwilioProviderList | None:
    """List the organization's Twilio providers

    Args:
        skip (int | Unset):
        take (int | Unset):
        org_handle (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TwilioProviderList
    """

    return (
        await asyncio_detailed(
            client=client,
            skip=skip,
            take=take,
            org_handle=org_handle,
        )
    ).parsed
