// Signed tokens (JWT), for frontends that act as their signed-in users, checked with
// jose: HS256 with JWT_SECRET (development, tests), or the keys of JWT_JWKS_URL
// (production: fetched, cached, refetched for an unknown `kid`). Each family of
// algorithms is checked only with its own kind of key, so an HS256 token "signed" with
// the RSA public key (algorithm confusion) and `alg: none` never verify.
//
// Job tokens are this service's own: minted for one job (createJobToken), HS256 with
// JOB_TOKEN_SECRET, told apart by their `kid` and checked with nothing else.
import { createRemoteJWKSet, customFetch, decodeProtectedHeader, errors, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Logger } from '../logger.js';
import { readBounded } from '../net/fetch.js';
import { isScope, type Principal } from './caller.js';

export interface TokenSettings {
  /** JWT_SECRET: HS256 tokens. */
  secret?: string;
  /** JWT_JWKS_URL: asymmetric tokens, keys by `kid`. */
  jwksUrl?: string;
  /** JWT_JWKS_COOLDOWN_MS: an unknown `kid` refetches the keys at most this often. */
  jwksCooldownMs: number;
  issuer?: string;
  audience?: string;
  /** The claim naming the tenant (JWT_TENANT_CLAIM). */
  tenantClaim: string;
  /** JOB_TOKEN_SECRET: signs and checks job tokens. */
  jobTokenSecret?: string;
}

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
/** Clocks of the issuer and this machine may differ by this much (seconds). */
const CLOCK_TOLERANCE_S = 5;
/** Longer is not a token anyone issues; refused before any parsing. */
export const MAX_TOKEN_CHARS = 8192;
/** A JWKS larger than this is refused (a provider's has a few keys: a few KB). */
const MAX_JWKS_BYTES = 256 * 1024;
const JOB_TOKEN = { kid: 'jobgraph:job', issuer: 'jobgraph', audience: 'jobgraph:job' } as const;
/** Most characters of a subject or tenant taken from a token. */
const MAX_CLAIM_CHARS = { sub: 255, tenant: 128 } as const;

/** The identity provider's keys could not be fetched: the token was not judged, and the service is what failed. */
class KeysUnavailable extends Error {
  constructor(reason: string, options?: ErrorOptions) {
    super(`the keys at JWT_JWKS_URL cannot be fetched: ${reason}`, options);
    this.name = 'KeysUnavailable';
  }
}

/** A token refused, or not judged because the keys are out of reach (`unavailable`). */
export interface TokenProblem {
  problem: string;
  unavailable?: true;
}

/** Warnings about the JWKS, at most one a minute: an outage must not flood the log. */
const WARN_EVERY_MS = 60_000;

/** Whether a bearer credential has the shape of a JWT (three base64url parts), not of an API key. */
export function looksLikeJwt(credential: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]*$/.test(credential);
}

/** A claim that is plain text of 1 to `max` characters, without control characters. */
function textClaim(payload: JWTPayload, name: string, max: number): string | undefined {
  const value = payload[name];
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  return typeof value === 'string' && value.length >= 1 && value.length <= max && !/[\u0000-\u001f\u007f]/.test(value) ? value : undefined;
}

/** Why jose refused a token, in words that name the check and leak nothing of the key. */
function refusal(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'token not valid yet (nbf)';
    return `token ${error.claim} claim ${error.reason === 'missing' ? 'missing' : 'not accepted'}`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'token signature invalid';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'token algorithm not accepted';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no key of JWT_JWKS_URL matches the token';
  if (error instanceof errors.JOSEError) return 'malformed token';
  return 'token could not be checked';
}

export class Tokens {
  private readonly secret: Uint8Array | undefined;
  private readonly jobSecret: Uint8Array | undefined;
  private readonly jwks: JWTVerifyGetKey | undefined;
  private warned = 0;

  constructor(
    private readonly settings: TokenSettings,
    private readonly logger: Logger,
  ) {
    const encode = (text: string | undefined) => (text === undefined ? undefined : new TextEncoder().encode(text));
    this.secret = encode(settings.secret);
    this.jobSecret = encode(settings.jobTokenSecret);
    this.jwks = settings.jwksUrl
      ? createRemoteJWKSet(new URL(settings.jwksUrl), {
          timeoutDuration: 5000,
          cooldownDuration: settings.jwksCooldownMs,
          cacheMaxAge: 600_000,
          [customFetch]: (url, init) => this.fetchJwks(url, init),
        })
      : undefined;
  }

  /** Users sign in with tokens here (JWT_SECRET or JWT_JWKS_URL is set). */
  get forUsers(): boolean {
    return this.secret !== undefined || this.jwks !== undefined;
  }

  /** createJobToken can mint (JOB_TOKEN_SECRET is set). */
  get canMint(): boolean {
    return this.jobSecret !== undefined;
  }

  /** The principal a token names, or why it is refused. */
  async verify(token: string): Promise<Principal | TokenProblem> {
    if (token.length > MAX_TOKEN_CHARS) return { problem: `token longer than ${MAX_TOKEN_CHARS} characters` };
    let header;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      return { problem: 'malformed token' };
    }
    try {
      if (header.kid === JOB_TOKEN.kid) return await this.verifyJobToken(token);
      const alg = String(header.alg);
      if (alg === 'HS256' && this.secret) return this.principal(await jwtVerify(token, this.secret, this.options(['HS256'])));
      if (ASYMMETRIC.includes(alg) && this.jwks) return this.principal(await jwtVerify(token, this.jwks, this.options(ASYMMETRIC)));
      const accepted = [...(this.secret ? ['HS256'] : []), ...(this.jwks ? ASYMMETRIC : [])].join(', ') || 'none';
      return { problem: `tokens signed with ${alg.slice(0, 20)} are not accepted here (accepted: ${accepted})` };
    } catch (error) {
      if (error instanceof KeysUnavailable || error instanceof errors.JWKSTimeout) {
        if (Date.now() - this.warned > WARN_EVERY_MS) {
          this.warned = Date.now();
          this.logger.warn({ err: error }, 'tokens cannot be checked: JWT_JWKS_URL is unreachable (logged at most once a minute)');
        }
        return { problem: "the identity provider's keys (JWT_JWKS_URL) cannot be fetched right now; try again shortly", unavailable: true };
      }
      if (!(error instanceof errors.JOSEError)) this.logger.warn({ err: error }, 'token could not be checked');
      return { problem: refusal(error) };
    }
  }

  /** A read-only token for one job, for a browser to watch just that job. */
  async mintJobToken(job: { id: string; tenant: string }, minter: string, ttlSeconds: number): Promise<{ token: string; expiresAt: Date }> {
    if (!this.jobSecret) throw new Error('JOB_TOKEN_SECRET is not set');
    const expiresAt = new Date((Math.floor(Date.now() / 1000) + ttlSeconds) * 1000);
    const token = await new SignJWT({ tenant: job.tenant, job: job.id, scope: 'jobs:read' })
      .setProtectedHeader({ alg: 'HS256', kid: JOB_TOKEN.kid, typ: 'JWT' })
      .setIssuer(JOB_TOKEN.issuer)
      .setAudience(JOB_TOKEN.audience)
      .setSubject(minter)
      .setIssuedAt()
      .setExpirationTime(expiresAt)
      .sign(this.jobSecret);
    return { token, expiresAt };
  }

  private options(algorithms: string[]) {
    const { issuer, audience } = this.settings;
    // exp is required: a token that never expires could never be taken back.
    return { algorithms, issuer, audience, clockTolerance: CLOCK_TOLERANCE_S, requiredClaims: ['exp', 'sub'] };
  }

  private principal({ payload }: { payload: JWTPayload }): Principal | TokenProblem {
    const claim = this.settings.tenantClaim;
    const name = textClaim(payload, 'sub', MAX_CLAIM_CHARS.sub);
    if (!name) return { problem: `token sub claim must be text of 1 to ${MAX_CLAIM_CHARS.sub} characters` };
    const tenant = textClaim(payload, claim, MAX_CLAIM_CHARS.tenant);
    if (!tenant) return { problem: `token has no usable "${claim.slice(0, 64)}" claim (JWT_TENANT_CLAIM): text of 1 to ${MAX_CLAIM_CHARS.tenant} characters` };
    // Other scopes (openid, profile, another API's) are not ours. admin is not taken
    // from tokens: queue control acts on every tenant, so it stays with operator keys.
    const given = typeof payload.scope === 'string' ? payload.scope.slice(0, 4096).split(/\s+/) : [];
    const scopes = [...new Set(given.filter((scope) => isScope(scope) && scope !== 'admin'))] as Principal['scopes'];
    return { credential: 'token', name, tenant, scopes, expiresAt: (payload.exp as number) * 1000 };
  }

  private async verifyJobToken(token: string): Promise<Principal | TokenProblem> {
    if (!this.jobSecret) return { problem: 'job tokens are not accepted here (JOB_TOKEN_SECRET is not set)' };
    const { payload } = await jwtVerify(token, this.jobSecret, {
      algorithms: ['HS256'],
      issuer: JOB_TOKEN.issuer,
      audience: JOB_TOKEN.audience,
      clockTolerance: CLOCK_TOLERANCE_S,
      requiredClaims: ['exp', 'sub', 'job'],
    });
    const jobId = textClaim(payload, 'job', 36);
    const name = textClaim(payload, 'sub', MAX_CLAIM_CHARS.sub);
    if (!jobId || !name || typeof payload.tenant !== 'string') return { problem: 'malformed job token' };
    return { credential: 'job-token', name, tenant: payload.tenant, scopes: ['jobs:read'], expiresAt: (payload.exp as number) * 1000, jobId };
  }

  /**
   * jose's fetch, with the body read up to MAX_JWKS_BYTES. JWT_JWKS_URL is the
   * operator's own setting, so HTTP_ALLOW_HOSTS (which guards jobs) does not apply.
   */
  private async fetchJwks(url: string, init: RequestInit): Promise<Response> {
    try {
      const response = await fetch(url, init);
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new KeysUnavailable(`HTTP ${response.status}`);
      }
      const { body, truncated } = await readBounded(response as never, MAX_JWKS_BYTES);
      if (truncated) throw new KeysUnavailable(`larger than ${MAX_JWKS_BYTES} bytes`);
      return new Response(new Uint8Array(body), { status: response.status, headers: response.headers });
    } catch (error) {
      throw error instanceof KeysUnavailable ? error : new KeysUnavailable((error as Error).message, { cause: error });
    }
  }
}
