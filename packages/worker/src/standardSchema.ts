// The Standard Schema interfaces (https://standardschema.dev), as the spec asks
// libraries to copy them rather than depend on a package: zod 4, valibot, arktype and
// others implement `~standard.validate`; those that can describe themselves as JSON
// Schema also implement Standard JSON Schema (`~standard.jsonSchema`, zod 4.2+).

/** A schema that validates (Standard Schema v1). */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': StandardSchemaV1.Props<Input, Output>;
}

export declare namespace StandardSchemaV1 {
  export interface Props<Input = unknown, Output = Input> {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => Result<Output> | Promise<Result<Output>>;
    readonly types?: Types<Input, Output> | undefined;
  }
  export type Result<Output> = SuccessResult<Output> | FailureResult;
  export interface SuccessResult<Output> {
    readonly value: Output;
    readonly issues?: undefined;
  }
  export interface FailureResult {
    readonly issues: ReadonlyArray<Issue>;
  }
  export interface Issue {
    readonly message: string;
    readonly path?: ReadonlyArray<PropertyKey | PathSegment> | undefined;
  }
  export interface PathSegment {
    readonly key: PropertyKey;
  }
  export interface Types<Input = unknown, Output = Input> {
    readonly input: Input;
    readonly output: Output;
  }
  export type InferInput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['input'];
  export type InferOutput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['output'];
}

/** What Standard JSON Schema adds to `~standard`: the schema's JSON Schema, for a target draft. */
export interface StandardJSONSchemaProps {
  readonly jsonSchema?: {
    readonly input: (options: { target: 'draft-2020-12' | 'draft-07' | (string & {}) }) => Record<string, unknown>;
  };
}
