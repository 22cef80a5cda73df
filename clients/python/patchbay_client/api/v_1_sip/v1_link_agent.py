from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.sip_phone_number import SipPhoneNumber
from ...models.v1_link_agent_mode import V1LinkAgentMode
from ...types import UNSET, Response, Unset


def _get_kwargs(
    id: UUID,
    *,
    mode: V1LinkAgentMode | Unset = UNSET,
    agent_id: str,
    org_handle: str | Unset = UNSET,
    if_match: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(org_handle, Unset):
        headers["Org-Handle"] = org_handle

    if not isinstance(if_match, Unset):
        headers["If-Match"] = if_match

    params: dict[str, Any] = {}

    json_mode: str | Unset = UNSET
    if not isinstance(mode, Unset):
        json_mode = mode.value

    params["mode"] = json_mode

    params["agentId"] = agent_id

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/api/v1/sip-phone-numbers/{id}/agent-link".format(
            id=quote(str(id), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | SipPhoneNumber | None:
    if response.status_code == 200:
        response_200 = SipPhoneNumber.from_dict(response.json())

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

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 412:
        response_412 = Problem.from_dict(response.json())

        return response_412

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
) -> Response[Problem | SipPhoneNumber]:
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
    mode: V1LinkAgentMode | Unset = UNSET,
    agent_id: str,
    org_handle: str | Unset = UNSET,
    if_match: str | Unset = UNSET,
) -> Response[Problem | SipPhoneNumber]:
    """Link a phone number to an agent (inbound, or as the agent's outbound caller id)

    Args:
        id (UUID):
        mode (V1LinkAgentMode | Unset):
        agent_id (str):
        org_handle (str | Unset):
        if_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SipPhoneNumber]
    """

    kwargs = _get_kwargs(
        id=id,
        mode=mode,
        agent_id=agent_id,
        org_handle=org_handle,
        if_match=if_match,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: UUID,
    *,
    client: AuthenticatedClient,
    mode: V1LinkAgentMode | Unset = UNSET,
    agent_id: str,
    org_handle: str | Unset = UNSET,
    if_match: str | Unset = UNSET,
) -> Problem | SipPhoneNumber | None:
    """Link a phone number to an agent (inbound, or as the agent's outbound caller id)

    Args:
        id (UUID):
        mode (V1LinkAgentMode | Unset):
        agent_id (str):
        org_handle (str | Unset):
        if_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SipPhoneNumber
    """

    return sync_detailed(
        id=id,
        client=client,
        mode=mode,
        agent_id=agent_id,
        org_handle=org_handle,
        if_match=if_match,
    ).parsed


async def asyncio_detailed(
    id: UUID,
    *,
    client: AuthenticatedClient,
    mode: V1LinkAgentMode | Unset = UNSET,
    agent_id: str,
    org_handle: str | Unset = UNSET,
    if_match: str | Unset = UNSET,
) -> Response[Problem | SipPhoneNumber]:
    """Link a phone number to an agent (inbound, or as the agent's outbound caller id)

    Args:
        id (UUID):
        mode (V1LinkAgentMode | Unset):
        agent_id (str):
        org_handle (str | Unset):
        if_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SipPhoneNumber]
    """

    kwargs = _get_kwargs(
        id=id,
        mode=mode,
        agent_id=agent_id,
        org_handle=org_handle,
        if_match=if_match,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: UUID,
    *,
    client: AuthenticatedClient,
    mode: V1LinkAgentMode | Unset = UNSET,
    agent_id: str,
    org_handle: str | Unset = UNSET,
    if_match: str | Unset = UNSET,
) -> Problem | SipPhoneNumber | None:
    """Link a phone number to an agent (inbound, or as the agent's outbound caller id)

    Args:
        id (UUID):
        mode (V1LinkAgentMode | Unset):
        agent_id (str):
        org_handle (str | Unset):
        if_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SipPhoneNumber
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            mode=mode,
            agent_id=agent_id,
            org_handle=org_handle,
            if_match=if_match,
        )
    ).parsed
