/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation SubmitJob($input: SubmitJobInput!) {\n    submitJob(input: $input) {\n      job { id queue type payload status priority attempts maxAttempts progress result lastError idempotencyKey runAt createdAt updatedAt startedAt finishedAt }\n      userErrors { code field message }\n    }\n  }\n": typeof types.SubmitJobDocument,
    "\n  mutation SubmitJobs($input: [SubmitJobInput!]!) {\n    submitJobs(input: $input) {\n      jobs { id type status priority payload idempotencyKey }\n      userErrors { code field message }\n    }\n  }\n": typeof types.SubmitJobsDocument,
    "\n  mutation RetryJob($id: ID!) {\n    retryJob(id: $id) {\n      job { id status attempts }\n      userErrors { code field message }\n    }\n  }\n": typeof types.RetryJobDocument,
    "\n  mutation CancelJob($id: ID!) {\n    cancelJob(id: $id) {\n      job { id status finishedAt }\n      userErrors { code field message }\n    }\n  }\n": typeof types.CancelJobDocument,
    "\n  query GetJob($id: ID!) {\n    job(id: $id) {\n      id type status priority attempts maxAttempts progress result lastError runAt startedAt finishedAt payload\n      events(first: 100) { nodes { id type status attempt progress message data createdAt } }\n    }\n  }\n": typeof types.GetJobDocument,
    "\n  query ListJobs($filter: JobFilter, $orderBy: JobOrder, $first: Int, $after: String, $last: Int, $before: String) {\n    jobs(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      edges { cursor node { id type queue status priority createdAt updatedAt } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": typeof types.ListJobsDocument,
    "\n  query JobEvents($id: ID!, $first: Int, $after: String) {\n    job(id: $id) {\n      events(first: $first, after: $after) {\n        edges { cursor node { id type status attempt job { id status } } }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n": typeof types.JobEventsDocument,
    "\n  query Stats($queue: String) {\n    jobStats(queue: $queue) { queue total pending scheduled running retrying completed failed cancelled }\n  }\n": typeof types.StatsDocument,
    "\n  query JobTypes {\n    jobTypes { name description payloadSchema }\n  }\n": typeof types.JobTypesDocument,
    "\n  subscription WatchJob($id: ID!) {\n    jobUpdated(id: $id) { id status progress attempts result lastError updatedAt }\n  }\n": typeof types.WatchJobDocument,
    "\n  subscription WatchJobEvents($filter: JobEventFilter, $after: ID) {\n    jobEvents(filter: $filter, after: $after) { id jobId type status attempt progress message createdAt job { id queue type } }\n  }\n": typeof types.WatchJobEventsDocument,
    "\n  query JobHistory($filter: JobFilter) {\n    jobs(filter: $filter, first: 200) {\n      nodes { id events(first: 20) { nodes { id jobId type } } }\n    }\n  }\n": typeof types.JobHistoryDocument,
};
const documents: Documents = {
    "\n  mutation SubmitJob($input: SubmitJobInput!) {\n    submitJob(input: $input) {\n      job { id queue type payload status priority attempts maxAttempts progress result lastError idempotencyKey runAt createdAt updatedAt startedAt finishedAt }\n      userErrors { code field message }\n    }\n  }\n": types.SubmitJobDocument,
    "\n  mutation SubmitJobs($input: [SubmitJobInput!]!) {\n    submitJobs(input: $input) {\n      jobs { id type status priority payload idempotencyKey }\n      userErrors { code field message }\n    }\n  }\n": types.SubmitJobsDocument,
    "\n  mutation RetryJob($id: ID!) {\n    retryJob(id: $id) {\n      job { id status attempts }\n      userErrors { code field message }\n    }\n  }\n": types.RetryJobDocument,
    "\n  mutation CancelJob($id: ID!) {\n    cancelJob(id: $id) {\n      job { id status finishedAt }\n      userErrors { code field message }\n    }\n  }\n": types.CancelJobDocument,
    "\n  query GetJob($id: ID!) {\n    job(id: $id) {\n      id type status priority attempts maxAttempts progress result lastError runAt startedAt finishedAt payload\n      events(first: 100) { nodes { id type status attempt progress message data createdAt } }\n    }\n  }\n": types.GetJobDocument,
    "\n  query ListJobs($filter: JobFilter, $orderBy: JobOrder, $first: Int, $after: String, $last: Int, $before: String) {\n    jobs(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      edges { cursor node { id type queue status priority createdAt updatedAt } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": types.ListJobsDocument,
    "\n  query JobEvents($id: ID!, $first: Int, $after: String) {\n    job(id: $id) {\n      events(first: $first, after: $after) {\n        edges { cursor node { id type status attempt job { id status } } }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n": types.JobEventsDocument,
    "\n  query Stats($queue: String) {\n    jobStats(queue: $queue) { queue total pending scheduled running retrying completed failed cancelled }\n  }\n": types.StatsDocument,
    "\n  query JobTypes {\n    jobTypes { name description payloadSchema }\n  }\n": types.JobTypesDocument,
    "\n  subscription WatchJob($id: ID!) {\n    jobUpdated(id: $id) { id status progress attempts result lastError updatedAt }\n  }\n": types.WatchJobDocument,
    "\n  subscription WatchJobEvents($filter: JobEventFilter, $after: ID) {\n    jobEvents(filter: $filter, after: $after) { id jobId type status attempt progress message createdAt job { id queue type } }\n  }\n": types.WatchJobEventsDocument,
    "\n  query JobHistory($filter: JobFilter) {\n    jobs(filter: $filter, first: 200) {\n      nodes { id events(first: 20) { nodes { id jobId type } } }\n    }\n  }\n": types.JobHistoryDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SubmitJob($input: SubmitJobInput!) {\n    submitJob(input: $input) {\n      job { id queue type payload status priority attempts maxAttempts progress result lastError idempotencyKey runAt createdAt updatedAt startedAt finishedAt }\n      userErrors { code field message }\n    }\n  }\n"): (typeof documents)["\n  mutation SubmitJob($input: SubmitJobInput!) {\n    submitJob(input: $input) {\n      job { id queue type payload status priority attempts maxAttempts progress result lastError idempotencyKey runAt createdAt updatedAt startedAt finishedAt }\n      userErrors { code field message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SubmitJobs($input: [SubmitJobInput!]!) {\n    submitJobs(input: $input) {\n      jobs { id type status priority payload idempotencyKey }\n      userErrors { code field message }\n    }\n  }\n"): (typeof documents)["\n  mutation SubmitJobs($input: [SubmitJobInput!]!) {\n    submitJobs(input: $input) {\n      jobs { id type status priority payload idempotencyKey }\n      userErrors { code field message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RetryJob($id: ID!) {\n    retryJob(id: $id) {\n      job { id status attempts }\n      userErrors { code field message }\n    }\n  }\n"): (typeof documents)["\n  mutation RetryJob($id: ID!) {\n    retryJob(id: $id) {\n      job { id status attempts }\n      userErrors { code field message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelJob($id: ID!) {\n    cancelJob(id: $id) {\n      job { id status finishedAt }\n      userErrors { code field message }\n    }\n  }\n"): (typeof documents)["\n  mutation CancelJob($id: ID!) {\n    cancelJob(id: $id) {\n      job { id status finishedAt }\n      userErrors { code field message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GetJob($id: ID!) {\n    job(id: $id) {\n      id type status priority attempts maxAttempts progress result lastError runAt startedAt finishedAt payload\n      events(first: 100) { nodes { id type status attempt progress message data createdAt } }\n    }\n  }\n"): (typeof documents)["\n  query GetJob($id: ID!) {\n    job(id: $id) {\n      id type status priority attempts maxAttempts progress result lastError runAt startedAt finishedAt payload\n      events(first: 100) { nodes { id type status attempt progress message data createdAt } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ListJobs($filter: JobFilter, $orderBy: JobOrder, $first: Int, $after: String, $last: Int, $before: String) {\n    jobs(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      edges { cursor node { id type queue status priority createdAt updatedAt } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"): (typeof documents)["\n  query ListJobs($filter: JobFilter, $orderBy: JobOrder, $first: Int, $after: String, $last: Int, $before: String) {\n    jobs(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      edges { cursor node { id type queue status priority createdAt updatedAt } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query JobEvents($id: ID!, $first: Int, $after: String) {\n    job(id: $id) {\n      events(first: $first, after: $after) {\n        edges { cursor node { id type status attempt job { id status } } }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n"): (typeof documents)["\n  query JobEvents($id: ID!, $first: Int, $after: String) {\n    job(id: $id) {\n      events(first: $first, after: $after) {\n        edges { cursor node { id type status attempt job { id status } } }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Stats($queue: String) {\n    jobStats(queue: $queue) { queue total pending scheduled running retrying completed failed cancelled }\n  }\n"): (typeof documents)["\n  query Stats($queue: String) {\n    jobStats(queue: $queue) { queue total pending scheduled running retrying completed failed cancelled }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query JobTypes {\n    jobTypes { name description payloadSchema }\n  }\n"): (typeof documents)["\n  query JobTypes {\n    jobTypes { name description payloadSchema }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WatchJob($id: ID!) {\n    jobUpdated(id: $id) { id status progress attempts result lastError updatedAt }\n  }\n"): (typeof documents)["\n  subscription WatchJob($id: ID!) {\n    jobUpdated(id: $id) { id status progress attempts result lastError updatedAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WatchJobEvents($filter: JobEventFilter, $after: ID) {\n    jobEvents(filter: $filter, after: $after) { id jobId type status attempt progress message createdAt job { id queue type } }\n  }\n"): (typeof documents)["\n  subscription WatchJobEvents($filter: JobEventFilter, $after: ID) {\n    jobEvents(filter: $filter, after: $after) { id jobId type status attempt progress message createdAt job { id queue type } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query JobHistory($filter: JobFilter) {\n    jobs(filter: $filter, first: 200) {\n      nodes { id events(first: 20) { nodes { id jobId type } } }\n    }\n  }\n"): (typeof documents)["\n  query JobHistory($filter: JobFilter) {\n    jobs(filter: $filter, first: 200) {\n      nodes { id events(first: 20) { nodes { id jobId type } } }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;