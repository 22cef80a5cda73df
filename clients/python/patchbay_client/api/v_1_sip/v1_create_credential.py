from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.create_sip_credential import CreateSipCredential
from ...models.problem import Problem
from ...models.sip_credential import SipCredential
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: CreateSipCredential,
    org_handle: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(org_handle, Unset):
        headers["Org-Handle"] = org_handle

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/sip-credentials",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | SipCredential | None:
    if response.status_code == 201:
        response_201 = SipCredential.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

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
) -> Response[Problem | SipCredential]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateSipCredential,
    org_handle: str | Unset = UNSET,
) -> Response[Problem | SipCredential]:
    """Create a SIP credential (syntax-checked only; the server is never contacted)

    Args:
        org_handle (str | Unset):
        body (CreateSipCredential): Create body of a SIP credential. Unknown fields are a 400;
            `null` is the same as absent.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SipCredential]
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
    body: CreateSipCredential,
    org_handle: str | Unset = UNSET,
) -> Problem | SipCredential | None:
    """Create a SIP credential (syntax-checked only; the server is never contacted)

    Args:
        org_handle (str | Unset):
        body (CreateSipCredential): Create body of a SIP credential. Unknown fields are a 400;
            `null` is the same as absent.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SipCredential
    """

    return sync_detailed(
        client=client,
        body=body,
        org_handle=org_handle,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateSipCredential,
    org_handle: str | Unset = UNSET,
) -> Response[Problem | SipCredential]:
    """Create a SIP credential (syntax-checked only; the server is never contacted)

    Args:
        org_handle (str | Unset):
        body (CreateSipCredential): Create body of a SIP credential. Unknown fields are a 400;
            `null` is the same as absent.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SipCredential]
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
    body: CreateSipCredential,
    org_handle: str | Unset = UNSET,
) -> Problem | SipCredential | None:
    """Create a SIP credential (syntax-checked only; the server is never contacted)

    Args:
        org_handle (str | Unset):
        body (CreateSipCredential): Create body of a SIP credential. Unknown fields are a 400;
            `null` is the same as absent.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SipCredential
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            org_handle=org_handle,
        )
    ).parsed
