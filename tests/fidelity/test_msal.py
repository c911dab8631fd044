"""The emulator's Entra ID v2 endpoints against MSAL for Python, Microsoft's
own authentication library, over HTTPS with the emulator's generated CA:
discovery, the authorization code flow with PKCE through the emulator's
HTML sign-in and consent pages, and refresh with rotated refresh tokens.

MSAL checks `state` and the id_token `nonce` itself (since 1.38 it no longer
validates the rest of the id_token), so the tests check the id_token the way
Microsoft tells apps to: signature against the discovery document's
jwks_uri, `iss`, `aud`, `exp`
(https://learn.microsoft.com/en-us/entra/identity-platform/id-tokens).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import jwt
import msal
import requests

from conftest import GRAPH_SCOPES, Emulator, graph_client
from signin import sign_in

# A loopback redirect URI of the public client. Nothing listens on it: the
# test reads the authorization server's redirect instead of following it.
# Microsoft ignores the port of a localhost redirect URI for comparison
# (https://learn.microsoft.com/en-us/entra/identity-platform/reply-url#localhost-exceptions).
REDIRECT_URI = "http://localhost:53117"


def _authority(emulator: Emulator) -> str:
    return f"{emulator.https_base_url}/{emulator.tenant_id}"


def _app(emulator: Emulator) -> msal.PublicClientApplication:
    return msal.PublicClientApplication(
        emulator.public_client_id,
        authority=_authority(emulator),
        instance_discovery=False,
        verify=emulator.ca_file,
    )


def _discovery(emulator: Emulator) -> dict:
    resp = requests.get(
        f"{_authority(emulator)}/v2.0/.well-known/openid-configuration",
        verify=emulator.ca_file,
        timeout=10,
    )
    assert resp.status_code == 200, resp.text[:300]
    return resp.json()


def _interactive_sign_in(app: msal.PublicClientApplication, emulator: Emulator, user: dict) -> tuple[dict, dict]:
    """What `acquire_token_interactive` does, with a scripted person at the
    browser: MSAL builds the authorize URL (PKCE S256, state, nonce), the
    person signs in and consents, MSAL redeems the code."""
    flow = app.initiate_auth_code_flow(scopes=GRAPH_SCOPES, redirect_uri=REDIRECT_URI)
    assert "error" not in flow, flow
    browser = requests.Session()
    browser.verify = emulator.ca_file
    location = sign_in(browser, flow["auth_uri"], upn=user["upn"], password=user["password"], redirect_uri=REDIRECT_URI)
    auth_response = dict(parse_qsl(urlsplit(location).query))
    assert "code" in auth_response, f"the sign-in ended without a code: {auth_response}"
    result = app.acquire_token_by_auth_code_flow(flow, auth_response)
    assert "error" not in result, f"{result.get('error')}: {result.get('error_description')}"
    return flow, result


def _refresh_tokens(app: msal.PublicClientApplication) -> list[str]:
    return [rt["secret"] for rt in app.token_cache.search(msal.TokenCache.CredentialType.REFRESH_TOKEN)]


def test_msal_discovers_https_endpoints_on_the_emulator(emulator):
    """MSAL reads the tenant's OpenID configuration and sends the user to
    its authorization_endpoint: every endpoint is on the authority's own
    https host, as on login.microsoftonline.com
    (https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc)."""
    app = _app(emulator)
    flow = app.initiate_auth_code_flow(scopes=GRAPH_SCOPES, redirect_uri=REDIRECT_URI)
    authority = _authority(emulator)
    assert flow["auth_uri"].startswith(f"{authority}/oauth2/v2.0/authorize?"), flow["auth_uri"]
    doc = _discovery(emulator)
    assert doc["issuer"] == f"{authority}/v2.0"
    assert doc["token_endpoint"] == f"{authority}/oauth2/v2.0/token"
    assert doc["jwks_uri"].startswith(f"{emulator.https_base_url}/")
    assert "S256" in doc.get("code_challenge_methods_supported", ["S256"])


async def test_msal_auth_code_flow_with_pkce(emulator):
    """Sign-in through the HTML pages, code redeemed by MSAL with its PKCE
    verifier: tokens for Graph, an id_token that verifies against the JWKS,
    and an MSAL account built from Entra's client_info."""
    user = emulator.user(0)
    app = _app(emulator)
    _, result = _interactive_sign_in(app, emulator, user)

    assert result["token_type"].lower() == "bearer"
    assert result["access_token"] and result["refresh_token"] and result["id_token"]
    assert int(result["expires_in"]) > 0
    granted = {s.lower() for s in result["scope"].split()} if isinstance(result["scope"], str) else {s.lower() for s in result["scope"]}
    assert {s.lower() for s in GRAPH_SCOPES} <= granted, f"granted scopes: {result['scope']}"

    # The id_token as Microsoft tells apps to validate it.
    doc = _discovery(emulator)
    jwks = requests.get(doc["jwks_uri"], verify=emulator.ca_file, timeout=10).json()
    kid = jwt.get_unverified_header(result["id_token"])["kid"]
    key = next((k for k in jwt.PyJWKSet.from_dict(jwks).keys if k.key_id == kid), None)
    assert key is not None, f"id_token kid {kid} is not in the JWKS"
    claims = jwt.decode(
        result["id_token"],
        key.key,
        algorithms=["RS256"],
        audience=emulator.public_client_id,
        issuer=doc["issuer"],
        leeway=120,
    )
    assert claims["tid"] == emulator.tenant_id
    assert claims["preferred_username"].lower() == user["upn"].lower()
    assert claims["name"] == user["display_name"]
    assert claims["ver"] == "2.0"
    assert claims["nonce"] == result["id_token_claims"]["nonce"]

    # MSAL's account: home_account_id is "{uid}.{utid}" from client_info,
    # which Entra fills with the user's object id and tenant id.
    accounts = app.get_accounts()
    assert [a["username"].lower() for a in accounts] == [user["upn"].lower()]
    assert accounts[0]["home_account_id"] == f"{claims['oid']}.{claims['tid']}"

    # The access token is accepted by the emulator's Graph.
    graph = graph_client(emulator, result["access_token"])
    try:
        me = await graph.me.get()
    finally:
        await graph.request_adapter._http_client.aclose()
    assert me.user_principal_name.lower() == user["upn"].lower()
    assert me.id == claims["oid"]


def test_msal_refresh_uses_rotated_refresh_tokens(emulator):
    """acquire_token_silent(force_refresh=True) redeems the cached refresh
    token; the token endpoint answers with a new one, which MSAL stores and
    which works for the next refresh
    (https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens).
    The emulator then refuses the replaced token: stricter than Entra on
    purpose (docs/emulator-entra.md), to catch clients that keep old ones."""
    user = emulator.user(1)
    app = _app(emulator)
    _, first = _interactive_sign_in(app, emulator, user)
    account = app.get_accounts(username=user["upn"])[0]
    rt1 = first["refresh_token"]
    assert _refresh_tokens(app) == [rt1]

    second = app.acquire_token_silent(GRAPH_SCOPES, account=account, force_refresh=True)
    assert second and "error" not in second, second
    assert second["access_token"] != first["access_token"]
    [rt2] = _refresh_tokens(app)
    assert rt2 != rt1, "the token endpoint rotated the refresh token and MSAL kept the new one"

    third = app.acquire_token_silent(GRAPH_SCOPES, account=account, force_refresh=True)
    assert third and "error" not in third, f"the rotated refresh token was refused: {third}"
    [rt3] = _refresh_tokens(app)
    assert rt3 not in (rt1, rt2)

    # A second app instance with nothing but the replaced token.
    stale = _app(emulator).acquire_token_by_refresh_token(rt1, GRAPH_SCOPES)
    assert stale.get("error") == "invalid_grant", stale
    assert "access_token" not in stale


def test_msal_gets_entra_errors_for_a_bad_refresh_token(emulator):
    """A refresh token the server never issued: HTTP 400 invalid_grant with
    an AADSTS code in error_description and in error_codes, which MSAL hands
    back unchanged (https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes)."""
    result = _app(emulator).acquire_token_by_refresh_token("not-a-refresh-token", GRAPH_SCOPES)
    assert result.get("error") == "invalid_grant", result
    assert result.get("error_description", "").startswith("AADSTS"), result
    codes = result.get("error_codes")
    assert isinstance(codes, list) and codes, result
    assert result["error_description"].startswith(f"AADSTS{codes[0]}:")

