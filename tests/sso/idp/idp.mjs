// A real OpenID provider (oidc-provider) on loopback for the single sign-on tests.
//
// Settings come from the environment:
//   PORT           the loopback port to listen on
//   CLIENTS        JSON list of clients: [{client_id, client_secret, redirect_uris, post_logout_redirect_uris}]
//   ACCOUNTS_FILE  a JSON file {accountId: {email, email_verified, name, groups, misbehave}}, read at every
//                  sign-in so that a test can change a person's claims between two sign-ins
//   KEY_ID         the id of the signing key made at start (a restart with another id rotates the key)
//
// Anyone signs in at the development login form by typing an account id (any password); consent is
// granted without asking. An account's "misbehave" makes the token endpoint answer with an id_token
// a broken or hostile provider would send: "wrong-audience", "expired" (both signed with the real
// key) or "bad-signature" (signed with another key under the real key's id).
import { readFileSync } from 'node:fs';
import * as jose from 'jose';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.CLIENTS);
const accountsFile = process.env.ACCOUNTS_FILE;
const keyId = process.env.KEY_ID || 'key-1';

function accounts() {
  return JSON.parse(readFileSync(accountsFile, 'utf8'));
}

const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const signingJwk = { ...(await jose.exportJWK(privateKey)), kid: keyId, alg: 'RS256', use: 'sig' };
const { privateKey: strangerKey } = await jose.generateKeyPair('RS256', { extractable: true });

const provider = new Provider(issuer, {
  clients: clients.map((client) => ({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...client,
  })),
  jwks: { keys: [signingJwk] },
  cookies: { keys: ['courseware-test-idp'] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'groups'],
  },
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  pkce: { required: () => true },
  async findAccount(ctx, id) {
    const claims = accounts()[id];
    if (!claims) return undefined;
    return {
      accountId: id,
      async claims() {
        const { misbehave, ...rest } = claims;
        return { sub: id, ...rest };
      },
    };
  },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
});

async function misbehave(idToken) {
  const claims = jose.decodeJwt(idToken);
  const how = accounts()[claims.sub]?.misbehave;
  if (!how) return idToken;
  const now = Math.floor(Date.now() / 1000);
  let key = privateKey;
  if (how === 'wrong-audience') claims.aud = 'another-application';
  else if (how === 'expired') Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
  else if (how === 'bad-signature') key = strangerKey;
  return new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: keyId, typ: 'JWT' }).sign(key);
}

provider.use(async (ctx, next) => {
  await next();
  if (ctx.path === '/token' && ctx.status === 200 && ctx.body?.id_token) {
    ctx.body = { ...ctx.body, id_token: await misbehave(ctx.body.id_token) };
  }
});

provider.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening on ${issuer}\n`);
});
