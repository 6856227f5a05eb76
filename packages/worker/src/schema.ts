// Payload schemas: any Standard Schema validator (zod 4, valibot, arktype, ...; the
// interfaces are @standard-schema/spec's, types only). The
// service validates payloads with them, and a worker registers its types with their JSON
// Schema so that the service can check submits without the worker's code: from the
// schema itself (Standard JSON Schema, which zod 4 implements), or given beside it.
import type { StandardJSONSchemaV1, StandardSchemaV1 } from '@standard-schema/spec';

/** What a payload schema must offer. */
export type PayloadSchema = StandardSchemaV1;

export interface PayloadIssue {
  /** Path to the field at fault, below the payload. */
  path: (string | number)[];
  message: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; issues: PayloadIssue[] };

function segment(part: PropertyKey | { key: PropertyKey }): string | number {
  const key = typeof part === 'object' && part !== null ? part.key : part;
  return typeof key === 'number' ? key : String(key);
}

/** Validates `value` with the schema (synchronous or not); the issues name their fields. */
export async function validatePayload<S extends PayloadSchema>(schema: S, value: unknown): Promise<Validated<StandardSchemaV1.InferOutput<S>>> {
  const result = await schema['~standard'].validate(value);
  if (!result.issues) return { ok: true, value: result.value as StandardSchemaV1.InferOutput<S> };
  return { ok: false, issues: result.issues.map((issue) => ({ path: (issue.path ?? []).map(segment), message: issue.message })) };
}

/**
 * The payload's JSON Schema (draft 2020-12): `given` if there is one, else the schema's
 * own (Standard JSON Schema); null when neither describes it.
 */
export function payloadJsonSchema(schema: PayloadSchema, given?: Record<string, unknown>): Record<string, unknown> | null {
  if (given) return given;
  const standard = schema['~standard'] as StandardSchemaV1.Props & Partial<StandardJSONSchemaV1.Props>;
  if (typeof standard.jsonSchema?.input !== 'function') return null;
  try {
    return standard.jsonSchema.input({ target: 'draft-2020-12' });
  } catch {
    return null;
  }
}
