// A real OpenID Connect provider (panva's oidc-provider) for the accounts tests, on loopback.
//
// Started by tests/accounts/oidc_provider.py with ISSUER and PORT in the environment; prints
// "ready" once it listens. Its sign-in page asks only for an account id (no password) and consent
// is granted automatically, so the test client and headless Chromium can drive the real flow.
// POST /__test/mode {"badJwks": true, "codeTtl": 0} makes it misbehave for the refusal tests.
import { generateKeyPairSync, randomUUID } from 'node:crypto';

import Provider from 'oidc-provider';

const issuer = process.env.ISSUER;
const port = Number(process.env.PORT);
const clientId = process.env.CLIENT_ID || 'network';
const clientSecret = process.env.CLIENT_SECRET || 'network-test-secret';

function rsaJwk(kid) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
}

const signingKey = rsaJwk('test-key');
// Published instead of the signing key when the test asks for a bad signature: same kid.
const { d, p, q, dp, dq, qi, ...impostor } = rsaJwk('test-key');
const defaultMode = { badJwks: false, codeTtl: 60 };
let mode = { ...defaultMode };

const ACCOUNTS = {
  anna: { email: 'anna.lind@kommun.example', email_verified: true, name: 'Anna Lind' },
  bo: { email: 'bo.berg@kommun.example', email_verified: false, name: 'Bo Berg' },
  cilla: { email: 'cilla.ek@annat.example', email_verified: true, name: 'Cilla Ek' },
  dan: { email: 'dan.holm@kommun.example', email_verified: true, name: 'Dan Holm' },
};

const loopbackPaths = ['/logga-in/oidc/test/svar'];
const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    // "native": a loopback redirect URI matches on any port (RFC 8252), so the live server's
    // random port needs no registration of its own.
    application_type: 'native',
    redirect_uris: loopbackPaths.flatMap((path) => [`http://localhost${path}`, `http://127.0.0.1${path}`]),
    post_logout_redirect_uris: ['http://localhost/', 'http://127.0.0.1/'],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [signingKey] },
  cookies: { keys: ['test-cookie-key'] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
  pkce: { required: () => true },
  ttl: { AuthorizationCode: () => mode.codeTtl },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const account = ACCOUNTS[id];
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...account }) };
  },
  async loadExistingGrant(ctx) {
    const { client, session } = ctx.oidc;
    const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
});

async function formBody(req) {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  return new URLSearchParams(raw);
}

function loginPage(uid) {
  return `<!doctype html><html lang="sv"><head><title>Testleverantör</title></head><body>
<main><h1>Logga in hos testleverantören</h1>
<form method="post" action="/interaction/${uid}">
<label for="login">Konto</label> <input id="login" name="login" autofocus>
<button type="submit">Fortsätt</button></form></main></body></html>`;
}

provider.use(async (ctx, next) => {
  if (ctx.path === '/__test/mode' && ctx.method === 'POST') {
    let raw = '';
    for await (const chunk of ctx.req) raw += chunk;
    mode = { ...defaultMode, ...JSON.parse(raw || '{}') };
    ctx.body = mode;
    return;
  }
  if (ctx.path.startsWith('/interaction/')) {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.prompt.name === 'consent') {
      // Consent is granted without asking (loadExistingGrant holds the scopes).
      ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, { consent: {} }, { mergeWithLastSubmission: true }));
      return;
    }
    if (ctx.method === 'GET') {
      ctx.type = 'html';
      ctx.body = loginPage(details.uid);
      return;
    }
    const login = (await formBody(ctx.req)).get('login');
    const result = ACCOUNTS[login]
      ? { login: { accountId: login } }
      : { error: 'access_denied', error_description: 'unknown account' };
    ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false }));
    return;
  }
  await next();
  if (ctx.path === '/jwks' && mode.badJwks) {
    ctx.body = { keys: [impostor] };
  }
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`ready ${randomUUID()}`);
});
