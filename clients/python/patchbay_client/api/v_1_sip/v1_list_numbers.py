from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.sip_phone_number_list import SipPhoneNumberList
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    phone_number: str | Unset = UNSET,
    linked_agent_id: str | Unset = UNSET,
    unlinked_only: bool | Unset = UNSET,
    provider_id: UUID | Unset = UNSET,
    skip: int | Unset = UNSET,
    take: int | Unset = UNSET,
    org_handle: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(org_handle, Unset):
        headers["Org-Handle"] = org_handle

    params: dict[str, Any] = {}

    params["phoneNumber"] = phone_number

    params["linkedAgentId"] = linked_agent_id

    params["unlinkedOnly"] = unlinked_only

    json_provider_id: str | Unset = UNSET
    if not isinstance(provider_id, Unset):
        json_provider_id = str(provider_id)
    params["providerId"] = json_provider_id

    params["skip"] = skip

    params["take"] = take

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/sip-phone-numbers",
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | SipPhoneNumberList | None:
    if response.status_code == 200:
        response_200 = SipPhoneNumberList.from_dict(response.json())

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
) -> Response[Problem | SipPhoneNumberList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    phone_number: str | Unset = UNSET,
    linked_agent_id: str | Unset = UNSET,
    unlinked_only: bool | Unset = UNSET,
    provider_id: UUID | Unset = UNSET,
    skip: int | Unset = UNSET,
    take: int | Unset = UNSET,
    org_handle: str | Unset = UNSET,
) -> Response[Problem | SipPhoneNumberList]:
    """List SIP phone numbers (manual and provider-imported)

    Args:
        phone_number (str | Unset):
        linked_agent_id (str | Unset):
        unlinked_only (bool | Unset):
        provider_id (UUID | Unset):
        skip (int | Unset):
        take (int | Unset):
        org_handle (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SipPhoneNumberList]
    """

    kwargs = _get_kwargs(
        phone_number=phone_number,
        linked_agent_id=linked_agent_id,
        unlinked_only=unlinked_only,
        provider_id=provider_id,
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
    phone_number: str | Unset = UNSET,
    linked_agent_id: str | Unset = UNSET,
    unlinked_only: bool | Unset = UNSET,
    provider_id: UUID | Unset = UNSET,
    skip: int | Unset = UNSET,
    take: int | Unset = UNSET,
    org_handle: str | Unset = UNSET,
) -> Problem | SipPhoneNumberList | None:
    """List SIP phone numbers (manual and provider-imported)

    Args:
        phone_number (str | Unset):
        linked_agent_id (str | Unset):
        unlinked_only (bool | Unset):
        provider_id (UUID | Unset):
        skip (int | Unset):
        take (int | Unset):
        org_handle (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SipPhoneNumberList
    """

    return sync_detailed(
        client=client,
        phone_number=phone_number,
        linked_agent_id=linked_agent_id,
        unlinked_only=unlinked_only,
        provider_id=provider_id,
        skip=skip,
        take=take,
        org_handle=org_handle,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    phone_number: str | Unset = UNSET,
    linked_agent_id: str | Unset = UNSET,
    unlinked_only: bool | Unset = UNSET,
    provider_id: UUID | Unset = UNSET,
    skip: int | Unset = UNSET,
    take: int | Unset = UNSET,
    org_handle: str | Unset = UNSET,
) -> Response[Problem | SipPhoneNumberList]:
    """List SIP phone numbers (manual and provider-imported)

    Args:
        phone_number (str | Unset):
        linked_agent_id (str | Unset):
        unlinked_only (bool | Unset):
        provider_id (UUID | Unset):
        skip (int | Unset):
        take (int | Unset):
        org_handle (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SipPhoneNumberList]
    """

    kwargs = _get_kwargs(
        phone_number=phone_number,
        linked_agent_id=linked_agent_id,
        unlinked_only=unlinked_only,
        provider_id=provider_id,
        skip=skip,
        take=take,
        org_handle=org_handle,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    phone_number: str | Unset = UNSET,
    linked_agent_id: str | Unset = UNSET,
    unlinked_only: bool | Unset = UNSET,
    provider_id: UUID | Unset = UNSET,
    skip: int | Unset = UNSET,
    take: int | Unset = UNSET,
    org_handle: str | Unset = UNSET,
) -> Problem | SipPhoneNumberList | None:
    """List SIP phone numbers (manual and provider-imported)

    Args:
        phone_number (str | Unset):
        linked_agent_id (str | Unset):
        unlinked_only (bool | Unset):
        provider_id (UUID | Unset):
        skip (int | Unset):
        take (int | Unset):
        org_handle (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SipPhoneNumberList
    """

    return (
        await asyncio_detailed(
            client=client,
            phone_number=phone_number,
            linked_agent_id=linked_agent_id,
            unlinked_only=unlinked_only,
            provider_id=provider_id,
            skip=skip,
            take=take,
            org_handle=org_handle,
        )
    ).parsed
