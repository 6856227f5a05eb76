// Every job type a caller may submit: the service's own (built-in and HANDLERS_DIR, run
// by its workers) and those remote workers registered (run by them: remote/). A tenant
// sees the types its own workers registered and those of operators' workers; its own
// win. Remote types are kept in PostgreSQL, so a payload is checked against its JSON
// Schema (Ajv) while no worker of that type is connected; API processes hold none of the
// users' code.
import { createHash } from 'node:crypto';
import { validatePayload, type PayloadIssue } from '@jobgraph/worker';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import safeRegex from 'safe-regex2';
import type { Db } from '../db/client.js';
import { jsonProblem } from '../domain/json.js';
import type { Logger } from '../logger.js';
import { remoteType, remoteTypes, saveRemoteTypes, type RemoteType } from '../store/jobTypes.js';
import type { JobHandler } from './handler.js';
import type { HandlerRegistry } from './registry.js';

export type { RemoteType };

/** A type as a submit finds it: run here, or by remote workers of a scope. */
export type ResolvedType = { kind: 'local'; handler: JobHandler } | { kind: 'remote'; type: RemoteType };

/** A type as `jobTypes` lists it. */
export interface JobTypeView {
  name: string;
  description: string | null;
  payloadSchema: unknown;
  /** null for the service's own; the scope of the remote workers that registered it. */
  scope: string | null;
}

/** A type as a worker registers it. */
export interface RegisteredType {
  name: string;
  description: string | null;
  payloadSchema: unknown;
}

/** Bounds on what a worker registers. */
export const TYPE_LIMITS = { types: 100, nameChars: 100, descriptionChars: 1000, schemaBytes: 64 * 1024, perScope: 500 } as const;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;

/** How long a looked-up remote type is trusted before it is read again (another instance may have registered it). */
const CACHE_MS = 5000;
const CACHE_ENTRIES = 10_000;

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** Every `pattern` (and patternProperties key) in a schema: a regular expression the payload is matched against. */
function patterns(schema: unknown, found: string[] = []): string[] {
  if (Array.isArray(schema)) for (const item of schema) patterns(item, found);
  else if (schema && typeof schema === 'object') {
    for (const [key, value] of Object.entries(schema)) {
      if (key === 'pattern' && typeof value === 'string') found.push(value);
      if (key === 'patternProperties' && value && typeof value === 'object') found.push(...Object.keys(value));
      patterns(value, found);
    }
  }
  return found;
}

export class JobTypeCatalog {
  private readonly ajv = addFormats(new Ajv2020({ allErrors: false, strict: false, validateSchema: true }));
  private readonly cache = new Map<string, { type: RemoteType | null; until: number }>();
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(
    private readonly registry: HandlerRegistry,
    private readonly db: Db,
    private readonly logger: Logger,
  ) {}

  /** The type a caller of `tenant` ('' for none) submits by this name: its own registration first, then the operators'. */
  async resolve(name: string, tenant: string): Promise<ResolvedType | null> {
    const handler = this.registry.get(name);
    if (handler) return { kind: 'local', handler };
    for (const scope of tenant === '' ? [''] : [tenant, '']) {
      const type = await this.remote(scope, name);
      if (type) return { kind: 'remote', type };
    }
    return null;
  }

  /** Why `payload` does not fit the type (empty when it does), each issue naming its field below the payload. */
  async validate(resolved: ResolvedType, payload: unknown): Promise<PayloadIssue[]> {
    if (resolved.kind === 'local') {
      const result = await validatePayload(resolved.handler.payload, payload);
      return result.ok ? [] : result.issues;
    }
    const validate = this.validator(resolved.type);
    if (validate(payload)) return [];
    return (validate.errors ?? []).map((error) => {
      const path = error.instancePath.split('/').slice(1).map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'));
      const missing = error.keyword === 'required' ? (error.params as { missingProperty?: string }).missingProperty : undefined;
      return { path: missing ? [...path, missing] : path, message: error.message ?? error.keyword };
    });
  }

  /** The types a caller of `tenant` may submit (every registered one for an operator: `tenant` null). */
  async list(tenant: string | null): Promise<JobTypeView[]> {
    const local = this.registry.list().map((handler) => ({ name: handler.name, description: handler.description ?? null, payloadSchema: this.registry.payloadJsonSchema(handler), scope: null }));
    const remote = await remoteTypes(this.db, tenant === null ? null : tenant === '' ? [''] : [tenant, '']);
    // For a tenant, its own registration hides the operators' of the same name; an operator sees every scope.
    const shown = tenant === null ? remote : remote.filter((type) => type.scope === tenant || !remote.some((other) => other.name === type.name && other.scope === tenant));
    return [...local, ...shown.map((type) => ({ name: type.name, description: type.description, payloadSchema: type.payloadSchema, scope: type.scope }))];
  }

  /**
   * Checks and records the types a worker of `scope` registers. Refused (with the
   * reason): a name the service runs itself, a bad name, a schema too large, not valid
   * JSON Schema, or with a regular expression that could take exponential time.
   */
  async register(scope: string, types: RegisteredType[], by: string | null): Promise<string[]> {
    const problems = this.check(types);
    if (problems.length) return problems;
    await saveRemoteTypes(this.db, scope, types.map((type) => ({ name: type.name, description: type.description, payloadSchema: type.payloadSchema as Record<string, unknown> })), by, TYPE_LIMITS.perScope);
    for (const type of types) this.cache.delete(`${scope}\u0000${type.name}`);
    return [];
  }

  /** Why these types cannot be registered (each problem naming its field), if they cannot. */
  check(types: RegisteredType[]): string[] {
    const problems: string[] = [];
    if (types.length === 0 || types.length > TYPE_LIMITS.types) problems.push(`types: 1 to ${TYPE_LIMITS.types}, got ${types.length}`);
    types.forEach((type, index) => {
      const at = `types.${index}`;
      if (!NAME.test(type.name)) problems.push(`${at}.name: 1 to ${TYPE_LIMITS.nameChars} letters, digits, _ . : -`);
      else if (this.registry.get(type.name)) problems.push(`${at}.name: "${type.name}" is a type the service runs itself`);
      if (type.description && type.description.length > TYPE_LIMITS.descriptionChars) problems.push(`${at}.description: at most ${TYPE_LIMITS.descriptionChars} characters`);
      const problem = jsonProblem(type.payloadSchema);
      const bytes = problem ? 0 : Buffer.byteLength(JSON.stringify(type.payloadSchema) ?? '');
      if (problem) problems.push(`${at}.payloadSchema: ${problem.message}`);
      else if (bytes > TYPE_LIMITS.schemaBytes) problems.push(`${at}.payloadSchema: ${bytes} bytes, at most ${TYPE_LIMITS.schemaBytes}`);
      else if (typeof type.payloadSchema !== 'object' || type.payloadSchema === null) problems.push(`${at}.payloadSchema: must be a JSON Schema object`);
      else {
        const unsafe = patterns(type.payloadSchema).find((pattern) => !safeRegex(pattern));
        if (unsafe !== undefined) problems.push(`${at}.payloadSchema: the pattern ${JSON.stringify(unsafe.slice(0, 100))} could take exponential time; simplify it`);
        else {
          try {
            this.ajv.compile(type.payloadSchema);
          } catch (error) {
            problems.push(`${at}.payloadSchema: not a JSON Schema this service can use (${(error as Error).message.slice(0, 200)})`);
          }
        }
      }
    });
    return problems;
  }

  private async remote(scope: string, name: string): Promise<RemoteType | null> {
    const key = `${scope}\u0000${name}`;
    const cached = this.cache.get(key);
    if (cached && cached.until > Date.now()) return cached.type;
    const type = await remoteType(this.db, scope, name);
    // Bounded: names are the callers' to choose.
    if (this.cache.size >= CACHE_ENTRIES) this.cache.clear();
    this.cache.set(key, { type, until: Date.now() + CACHE_MS });
    return type;
  }

  private validator(type: RemoteType): ValidateFunction {
    const key = createHash('sha256').update(JSON.stringify(type.payloadSchema)).digest('hex');
    let validate = this.validators.get(key);
    if (!validate) {
      try {
        validate = this.ajv.compile(type.payloadSchema);
      } catch (error) {
        this.logger.warn({ err: error, type: type.name, scope: type.scope }, 'a registered payload schema does not compile; its payloads are refused');
        validate = Object.assign(() => false, { errors: [{ instancePath: '', keyword: 'schema', params: {}, message: 'the type\'s registered schema is broken; register it again', schemaPath: '' }] }) as unknown as ValidateFunction;
      }
      if (this.validators.size >= CACHE_ENTRIES) this.validators.clear();
      this.validators.set(key, validate);
    }
    return validate;
  }
}
