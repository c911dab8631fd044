// An independent OpenID provider for docket-testkit's sign-in tests:
// panva/oidc-provider (https://github.com/panva/node-oidc-provider), a
// certified OpenID Connect implementation written by nobody on this project.
//
//   node server.mjs <port>       (0 = any free port)
//
// Prints one JSON line on stdout when it listens:
//   {"ready":true,"issuer":"http://127.0.0.1:PORT","client_id":"docket-testkit"}
//
// One public native client (RFC 8252): no client secret, PKCE S256
// required, loopback redirect URIs matched with any port (oidc-provider
// ignores the port of http://127.0.0.1 / http://localhost redirect URIs for
// application_type "native", RFC 8252 §7.3), authorization_code +
// refresh_token grants (a refresh token for every code, see
// issueRefreshToken), refresh tokens rotated on every use (public client)
// and a replayed old one revokes the whole grant. Login and consent are
// oidc-provider's own development pages ("devInteractions"): any login and
// password are accepted; the test's Chromium fills them in.
//
// State is in memory only and dies with the process.

import http from 'node:http';

import Provider from 'oidc-provider';

const CLIENT_ID = 'docket-testkit';
// A fixed "tenant" for the Entra-style claims Docket Sync reads (oid, tid).
const TENANT_ID = '6f1c2c1e-0000-4000-8000-00000000e2e0';

const port = Number.parseInt(process.argv[2] ?? '0', 10);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`usage: node server.mjs <port>   (got ${process.argv[2]})`);
  process.exit(2);
}

let handler = (_req, res) => {
  res.statusCode = 503;
  res.end('starting');
};
const server = http.createServer((req, res) => handler(req, res));

server.listen(port, '127.0.0.1', () => {
  const { port: bound } = server.address();
  const issuer = `http://127.0.0.1:${bound}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1/', 'http://localhost/'],
      },
    ],
    pkce: { required: () => true },
    scopes: ['openid', 'offline_access', 'profile'],
    claims: {
      openid: ['sub'],
      // oid/tid: the account identity Docket Sync keeps (Entra's claims).
      profile: ['name', 'preferred_username', 'oid', 'tid'],
    },
    // Put the scope's claims into the id_token too (as Entra does), not
    // only into the userinfo response.
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
    },
    rotateRefreshToken: true,
    // OpenID Connect Core §11: offline_access needs prompt=consent "unless
    // other conditions ... permitting offline access ... are in place", and
    // oidc-provider drops offline_access without prompt=consent. Entra
    // needs no prompt=consent (Docket Sync never forces the consent page),
    // so here the "other condition" is the registration: this native client
    // may use refresh tokens, and it gets one on every code redemption.
    async issueRefreshToken(_ctx, client, code) {
      return client.grantTypeAllowed('refresh_token') && code.kind === 'AuthorizationCode';
    },
    ttl: { AccessToken: 600, IdToken: 600, RefreshToken: 24 * 3600 },
    async findAccount(_ctx, id) {
      const login = String(id).toLowerCase();
      return {
        accountId: login,
        async claims() {
          return {
            sub: login,
            oid: `oid-${login}`,
            tid: TENANT_ID,
            preferred_username: login,
            name: login,
          };
        },
      };
    },
  });
  // Development pages without TLS on 127.0.0.1: no secure-cookie proxying.
  provider.proxy = false;
  handler = provider.callback();
  console.log(JSON.stringify({ ready: true, issuer, client_id: CLIENT_ID }));
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
