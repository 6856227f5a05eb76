// Turns a request's credential into a Caller: an API key is looked up by its digest;
// anything shaped like a JWT is checked as a token. Done once per request (an HTTP
// request, or a WebSocket's upgrade request at connection_init) and remembered for its
// GraphQL contexts.
import type { ApiKeys } from './apiKeys.js';
import type { Caller } from './caller.js';
import { looksLikeJwt, type Tokens } from './tokens.js';

export class Authenticator {
  private readonly known = new WeakMap<object, Promise<Caller>>();

  constructor(
    private readonly keys: ApiKeys,
    readonly tokens: Tokens,
  ) {}

  /** Neither keys nor user tokens configured: the service is open (development only). */
  get open(): boolean {
    return this.keys.size === 0 && !this.tokens.forUsers;
  }

  callerOf(request: object | undefined, authorization: string | null | undefined): Promise<Caller> {
    const known = request && this.known.get(request);
    if (known) return known;
    const caller = this.identify(authorization);
    if (request) this.known.set(request, caller);
    return caller;
  }

  /** Identifies the caller from an `Authorization: Bearer <API key or token>` value. */
  async identify(authorization: string | null | undefined): Promise<Caller> {
    if (this.open) return { kind: 'open' };
    const what = this.tokens.forUsers ? (this.keys.size ? 'an API key or a token' : 'a token') : 'an API key';
    if (!authorization) return { kind: 'anonymous', problem: `no credentials: send \`Authorization: Bearer <${what}>\`` };
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) return { kind: 'anonymous', problem: `malformed Authorization: expected \`Bearer <${what}>\`` };
    const credential = match[1] as string;
    const key = this.keys.find(credential);
    if (key) return { kind: 'known', who: key };
    if (!looksLikeJwt(credential) || (!this.tokens.forUsers && !this.tokens.canMint)) return { kind: 'anonymous', problem: 'unknown API key' };
    const verified = await this.tokens.verify(credential);
    return 'problem' in verified ? { kind: 'anonymous', ...verified } : { kind: 'known', who: verified };
  }
}
