from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...models.import_envelope import ImportEnvelope
from ...models.import_numbers import ImportNumbers
from ...types import Response


def _get_kwargs(
    id: int,
    *,
    body: ImportNumbers,
    org_handle: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["Org-Handle"] = org_handle

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v2/platform/telephony/providers-configurations/{id}/import-numbers/".format(
            id=quote(str(id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | ImportEnvelope | None:
    if response.status_code == 200:
        response_200 = ImportEnvelope.from_dict(response.json())

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
) -> Response[ErrorEnvelope | ImportEnvelope]:
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
    body: ImportNumbers,
    org_handle: str,
) -> Response[ErrorEnvelope | ImportEnvelope]:
    """Import numbers of the configuration's carrier account

     Each number is checked against the account; each one that cannot be imported is listed in `failed`
    with the reason (the answer is 200 either way). Numbers not started because the request deadline was
    near are listed with a reason beginning `Not attempted`: nothing was done for them; send them again.

    Args:
        id (int):
        org_handle (str):
        body (ImportNumbers):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | ImportEnvelope]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
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
    body: ImportNumbers,
    org_handle: str,
) -> ErrorEnvelope | ImportEnvelope | None:
    """Import numbers of the configuration's carrier account

     Each number is checked against the account; each one that cannot be imported is listed in `failed`
    with the reason (the answer is 200 either way). Numbers not started because the request deadline was
    near are listed with a reason beginning `Not attempted`: nothing was done for them; send them again.

    Args:
        id (int):
        org_handle (str):
        body (ImportNumbers):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | ImportEnvelope
    """

    return sync_detailed(
        id=id,
        client=client,
        body=body,
        org_handle=org_handle,
    ).parsed


async def asyncio_detailed(
    id: int,
    *,
    client: AuthenticatedClient,
    body: ImportNumbers,
    org_handle: str,
) -> Response[ErrorEnvelope | ImportEnvelope]:
    """Import numbers of the configuration's carrier account

     Each number is checked against the account; each one that cannot be imported is listed in `failed`
    with the reason (the answer is 200 either way). Numbers not started because the request deadline was
    near are listed with a reason beginning `Not attempted`: nothing was done for them; send them again.

    Args:
        id (int):
        org_handle (str):
        body (ImportNumbers):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | ImportEnvelope]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
        org_handle=org_handle,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: int,
    *,
    client: AuthenticatedClient,
    body: ImportNumbers,
    org_handle: str,
) -> ErrorEnvelope | ImportEnvelope | None:
    """Import numbers of the configuration's carrier account

     Each number is checked against the account; each one that cannot be imported is listed in `failed`
    with the reason (the answer is 200 either way). Numbers not started because the request deadline was
    near are listed with a reason beginning `Not attempted`: nothing was done for them; send them again.

    Args:
        id (int):
        org_handle (str):
        body (ImportNumbers):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | ImportEnvelope
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            body=body,
            org_handle=org_handle,
        )
    ).parsed
