from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...models.inbound_envelope import InboundEnvelope
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    to: str,
    from_: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["to"] = to

    params["from"] = from_

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v2/platform/telephony/routes/inbound/",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | InboundEnvelope | None:
    if response.status_code == 200:
        response_200 = InboundEnvelope.from_dict(response.json())

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
) -> Response[ErrorEnvelope | InboundEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    to: str,
    from_: str | Unset = UNSET,
) -> Response[ErrorEnvelope | InboundEnvelope]:
    """Who answers a call to a number (service tokens only)

     The organization, number, bridge, inbound agent, carrier and configuration owning a call to `to`.
    404 for a number unknown (or of an organization the service token may not route); 409 with
    `errors.reason` (`number_inactive`, `configuration_failed`) for a number that cannot take calls, so
    the caller can play a message instead of ringing nothing. Any token but a service token: 403.

    Args:
        to (str):
        from_ (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | InboundEnvelope]
    """

    kwargs = _get_kwargs(
        to=to,
        from_=from_,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    to: str,
    from_: str | Unset = UNSET,
) -> ErrorEnvelope | InboundEnvelope | None:
    """Who answers a call to a number (service tokens only)

     The organization, number, bridge, inbound agent, carrier and configuration owning a call to `to`.
    404 for a number unknown (or of an organization the service token may not route); 409 with
    `errors.reason` (`number_inactive`, `configuration_failed`) for a number that cannot take calls, so
    the caller can play a message instead of ringing nothing. Any token but a service token: 403.

    Args:
        to (str):
        from_ (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | InboundEnvelope
    """

    return sync_detailed(
        client=client,
        to=to,
        from_=from_,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    to: str,
    from_: str | Unset = UNSET,
) -> Response[ErrorEnvelope | InboundEnvelope]:
    """Who answers a call to a number (service tokens only)

     The organization, number, bridge, inbound agent, carrier and configuration owning a call to `to`.
    404 for a number unknown (or of an organization the service token may not route); 409 with
    `errors.reason` (`number_inactive`, `configuration_failed`) for a number that cannot take calls, so
    the caller can play a message instead of ringing nothing. Any token but a service token: 403.

    Args:
        to (str):
        from_ (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | InboundEnvelope]
    """

    kwargs = _get_kwargs(
        to=to,
        from_=from_,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    to: str,
    from_: str | Unset = UNSET,
) -> ErrorEnvelope | InboundEnvelope | None:
    """Who answers a call to a number (service tokens only)

     The organization, number, bridge, inbound agent, carrier and configuration owning a call to `to`.
    404 for a number unknown (or of an organization the service token may not route); 409 with
    `errors.reason` (`number_inactive`, `configuration_failed`) for a number that cannot take calls, so
    the caller can play a message instead of ringing nothing. Any token but a service token: 403.

    Args:
        to (str):
        from_ (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | InboundEnvelope
    """

    return (
        await asyncio_detailed(
            client=client,
            to=to,
            from_=from_,
        )
    ).parsed
