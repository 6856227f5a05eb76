// Bounds on one GraphQL request, checked as early as each can be: how deeply the text
// nests (before any parser recurses into it), what the operation costs with its
// variables (before anything runs), and how many bytes of stored JSON the answer
// carries (while it is built).
import { GraphQLError, Kind, getOperationAST, type DocumentNode, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import { complexityFromQuery } from '@pothos/plugin-complexity';
import type { Plugin } from 'graphql-yoga';
import { type ErrorCode } from '../domain/errors.js';

/** Deepest nesting of ( [ { in a document's text. */
export const MAX_DOCUMENT_NESTING = 64;

/** How deeply brackets nest in a GraphQL text, outside strings and comments; stops counting past `limit`. */
export function nesting(source: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (char === '#') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (source.startsWith('"""', i)) {
      // A block string: only \""" escapes anything in it.
      i += 3;
      while (i < source.length && !source.startsWith('"""', i)) i += source.startsWith('\\"""', i) ? 4 : 1;
      i += 2;
    } else if (char === '"') {
      i++;
      while (i < source.length && source[i] !== '"' && source[i] !== '\n') i += source[i] === '\\' ? 2 : 1;
    } else if (char === '(' || char === '[' || char === '{') {
      deepest = Math.max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if (char === ')' || char === ']' || char === '}') {
      depth--;
    }
  }
  return deepest;
}

export function useDocumentNesting(limit = MAX_DOCUMENT_NESTING): Plugin {
  return {
    onParse({ params }) {
      const source = typeof params.source === 'string' ? params.source : params.source.body;
      if (nesting(source, limit) > limit) {
        throw new GraphQLError(`Document nested too deeply: brackets may nest at most ${limit} levels.`, {
          extensions: { code: 'BAD_USER_INPUT' satisfies ErrorCode, limit: 'document nesting', max: limit, http: { status: 400 } },
        });
      }
    },
  };
}

/** The operation that will run, with the fragments it may spread. */
function selected(document: DocumentNode, operationName: string | null | undefined): DocumentNode | null {
  const operation = getOperationAST(document, operationName);
  if (!operation) return null;
  return { ...document, definitions: [operation, ...document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION)] };
}

/**
 * What the operation costs: every field once per item the pages around it may hold
 * (`first`/`last`, else the default page size), with the variables it will run with,
 * so `jobs(first: $n)` costs what `$n` says.
 */
export function operationCost(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, variables: unknown, ctx: object): number {
  const operation = selected(document, operationName);
  if (!operation) return 0;
  return complexityFromQuery(operation, { schema, ctx, variables: (variables ?? {}) as Record<string, unknown> }).complexity;
}

function costRefusal(args: ExecutionArgs, maxCost: number): GraphQLError | undefined {
  let cost: number;
  try {
    cost = operationCost(args.schema, args.document, args.operationName, args.variableValues, args.contextValue as object);
  } catch (error) {
    // A variable of the wrong type: execution would refuse it with its own message.
    if (error instanceof GraphQLError) return undefined;
    throw error;
  }
  if (cost <= maxCost) return undefined;
  return new GraphQLError(
    `Limit exceeded: this operation would cost ${cost}, more than MAX_QUERY_COST (${maxCost}). Each field counts once per item its pages may hold: ask for smaller pages (first/last) or fewer fields.`,
    { extensions: { code: 'LIMIT_EXCEEDED' satisfies ErrorCode, limit: 'MAX_QUERY_COST', max: maxCost, cost } },
  );
}

/** A plugin that answers with `refusal`'s error, when it gives one, before an operation (or subscription) runs. */
export function refuseBeforeRunning(refusal: (args: ExecutionArgs) => GraphQLError | undefined): Plugin {
  const check = ({ args, setResultAndStopExecution }: { args: ExecutionArgs; setResultAndStopExecution(result: { errors: GraphQLError[] }): void }) => {
    const error = refusal(args);
    if (error) setResultAndStopExecution({ errors: [error] });
  };
  return { onExecute: check, onSubscribe: check };
}

/** Refuses an operation over MAX_QUERY_COST before anything runs, over HTTP and WebSocket alike. */
export function useQueryCost(maxCost: number): Plugin {
  return refuseBeforeRunning((args) => costRefusal(args, maxCost));
}

export const RESPONSE_TOO_LARGE = 'RESPONSE_TOO_LARGE' satisfies ErrorCode;

/**
 * What each job listed through Flow.jobs or Job.dependsOn counts against a response's
 * budget, before it is read: those lists are as long as the data makes them, not as a
 * page size says.
 */
export const LISTED_JOB_BYTES = 256;

/**
 * Bytes of stored JSON (payloads, results, event data) one response may carry. Fields
 * charge their stored size before their value is loaded, so an answer over the limit
 * never reaches memory.
 */
export class ResponseBudget {
  private used = 0;
  private error: GraphQLError | undefined;

  constructor(private readonly maxBytes: number) {}

  charge(bytes: number): void {
    if (this.error) throw this.error;
    if (this.used + bytes > this.maxBytes) {
      this.error = new GraphQLError(
        `Response too large: what was asked for (payloads, results, logs, event data, and ${LISTED_JOB_BYTES} bytes for each job listed by Flow.jobs or dependsOn) passes MAX_RESPONSE_BYTES (${this.maxBytes} bytes). Nothing more was read. Ask for fewer jobs per page, fewer lines, or leave out payload, result, message or data.`,
        { extensions: { code: RESPONSE_TOO_LARGE, limit: 'MAX_RESPONSE_BYTES', max: this.maxBytes } },
      );
      throw this.error;
    }
    this.used += bytes;
  }

  /** Bytes still free. */
  get remaining(): number {
    return this.maxBytes - this.used;
  }

  /** A subscription's next event is a new response. */
  reset(): void {
    this.used = 0;
    this.error = undefined;
  }
}

/** A response that ran out of budget is sent as that one error, not as a tree of nulls and copies of it. */
export function useResponseLimit(): Plugin {
  return {
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          const error = result.errors?.find((item) => item.extensions?.code === RESPONSE_TOO_LARGE);
          if (error) setResult({ errors: [error] });
        },
      };
    },
  };
}
