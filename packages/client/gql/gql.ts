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
    "\n  fragment ClientJob on Job {\n    id type queue status priority attempts maxAttempts progress payload result lastError\n    runAt createdAt updatedAt startedAt finishedAt submittedBy tenant owner\n  }\n": typeof types.ClientJobFragmentDoc,
    "\n  mutation ClientSubmitJob($input: SubmitJobInput!) {\n    submitJob(input: $input) { job { ...ClientJob } userErrors { code field message } }\n  }\n": typeof types.ClientSubmitJobDocument,
    "\n  mutation ClientSubmitJobs($input: [SubmitJobInput!]!) {\n    submitJobs(input: $input) { jobs { ...ClientJob } userErrors { code field message } }\n  }\n": typeof types.ClientSubmitJobsDocument,
    "\n  query ClientJob($id: ID!) {\n    job(id: $id) { ...ClientJob }\n  }\n": typeof types.ClientJobDocument,
    "\n  mutation ClientCancelJob($id: ID!) {\n    cancelJob(id: $id) { job { ...ClientJob } userErrors { code field message } }\n  }\n": typeof types.ClientCancelJobDocument,
    "\n  mutation ClientRetryJob($id: ID!) {\n    retryJob(id: $id) { job { ...ClientJob } userErrors { code field message } }\n  }\n": typeof types.ClientRetryJobDocument,
    "\n  subscription ClientWatchJob($id: ID!) {\n    jobUpdated(id: $id) { ...ClientJob }\n  }\n": typeof types.ClientWatchJobDocument,
    "\n  mutation ClientCreateJobToken($id: ID!, $ttlSeconds: Int) {\n    createJobToken(id: $id, ttlSeconds: $ttlSeconds) { token expiresAt userErrors { code field message } }\n  }\n": typeof types.ClientCreateJobTokenDocument,
    "\n  fragment ClientFlow on Flow {\n    id name status createdAt finishedAt\n    jobs { ...ClientJob flowId flowKey dependsOn { id } }\n  }\n": typeof types.ClientFlowFragmentDoc,
    "\n  mutation ClientSubmitFlow($input: SubmitFlowInput!) {\n    submitFlow(input: $input) { flow { ...ClientFlow } userErrors { code field message } }\n  }\n": typeof types.ClientSubmitFlowDocument,
    "\n  subscription ClientWatchFlow($id: ID!) {\n    flowUpdated(id: $id) { ...ClientFlow }\n  }\n": typeof types.ClientWatchFlowDocument,
};
const documents: Documents = {
    "\n  fragment ClientJob on Job {\n    id type queue status priority attempts maxAttempts progress payload result lastError\n    runAt createdAt updatedAt startedAt finishedAt submittedBy tenant owner\n  }\n": types.ClientJobFragmentDoc,
    "\n  mutation ClientSubmitJob($input: SubmitJobInput!) {\n    submitJob(input: $input) { job { ...ClientJob } userErrors { code field message } }\n  }\n": types.ClientSubmitJobDocument,
    "\n  mutation ClientSubmitJobs($input: [SubmitJobInput!]!) {\n    submitJobs(input: $input) { jobs { ...ClientJob } userErrors { code field message } }\n  }\n": types.ClientSubmitJobsDocument,
    "\n  query ClientJob($id: ID!) {\n    job(id: $id) { ...ClientJob }\n  }\n": types.ClientJobDocument,
    "\n  mutation ClientCancelJob($id: ID!) {\n    cancelJob(id: $id) { job { ...ClientJob } userErrors { code field message } }\n  }\n": types.ClientCancelJobDocument,
    "\n  mutation ClientRetryJob($id: ID!) {\n    retryJob(id: $id) { job { ...ClientJob } userErrors { code field message } }\n  }\n": types.ClientRetryJobDocument,
    "\n  subscription ClientWatchJob($id: ID!) {\n    jobUpdated(id: $id) { ...ClientJob }\n  }\n": types.ClientWatchJobDocument,
    "\n  mutation ClientCreateJobToken($id: ID!, $ttlSeconds: Int) {\n    createJobToken(id: $id, ttlSeconds: $ttlSeconds) { token expiresAt userErrors { code field message } }\n  }\n": types.ClientCreateJobTokenDocument,
    "\n  fragment ClientFlow on Flow {\n    id name status createdAt finishedAt\n    jobs { ...ClientJob flowId flowKey dependsOn { id } }\n  }\n": types.ClientFlowFragmentDoc,
    "\n  mutation ClientSubmitFlow($input: SubmitFlowInput!) {\n    submitFlow(input: $input) { flow { ...ClientFlow } userErrors { code field message } }\n  }\n": types.ClientSubmitFlowDocument,
    "\n  subscription ClientWatchFlow($id: ID!) {\n    flowUpdated(id: $id) { ...ClientFlow }\n  }\n": types.ClientWatchFlowDocument,
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
export function graphql(source: "\n  fragment ClientJob on Job {\n    id type queue status priority attempts maxAttempts progress payload result lastError\n    runAt createdAt updatedAt startedAt finishedAt submittedBy tenant owner\n  }\n"): (typeof documents)["\n  fragment ClientJob on Job {\n    id type queue status priority attempts maxAttempts progress payload result lastError\n    runAt createdAt updatedAt startedAt finishedAt submittedBy tenant owner\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ClientSubmitJob($input: SubmitJobInput!) {\n    submitJob(input: $input) { job { ...ClientJob } userErrors { code field message } }\n  }\n"): (typeof documents)["\n  mutation ClientSubmitJob($input: SubmitJobInput!) {\n    submitJob(input: $input) { job { ...ClientJob } userErrors { code field message } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ClientSubmitJobs($input: [SubmitJobInput!]!) {\n    submitJobs(input: $input) { jobs { ...ClientJob } userErrors { code field message } }\n  }\n"): (typeof documents)["\n  mutation ClientSubmitJobs($input: [SubmitJobInput!]!) {\n    submitJobs(input: $input) { jobs { ...ClientJob } userErrors { code field message } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ClientJob($id: ID!) {\n    job(id: $id) { ...ClientJob }\n  }\n"): (typeof documents)["\n  query ClientJob($id: ID!) {\n    job(id: $id) { ...ClientJob }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ClientCancelJob($id: ID!) {\n    cancelJob(id: $id) { job { ...ClientJob } userErrors { code field message } }\n  }\n"): (typeof documents)["\n  mutation ClientCancelJob($id: ID!) {\n    cancelJob(id: $id) { job { ...ClientJob } userErrors { code field message } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ClientRetryJob($id: ID!) {\n    retryJob(id: $id) { job { ...ClientJob } userErrors { code field message } }\n  }\n"): (typeof documents)["\n  mutation ClientRetryJob($id: ID!) {\n    retryJob(id: $id) { job { ...ClientJob } userErrors { code field message } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ClientWatchJob($id: ID!) {\n    jobUpdated(id: $id) { ...ClientJob }\n  }\n"): (typeof documents)["\n  subscription ClientWatchJob($id: ID!) {\n    jobUpdated(id: $id) { ...ClientJob }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ClientCreateJobToken($id: ID!, $ttlSeconds: Int) {\n    createJobToken(id: $id, ttlSeconds: $ttlSeconds) { token expiresAt userErrors { code field message } }\n  }\n"): (typeof documents)["\n  mutation ClientCreateJobToken($id: ID!, $ttlSeconds: Int) {\n    createJobToken(id: $id, ttlSeconds: $ttlSeconds) { token expiresAt userErrors { code field message } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ClientFlow on Flow {\n    id name status createdAt finishedAt\n    jobs { ...ClientJob flowId flowKey dependsOn { id } }\n  }\n"): (typeof documents)["\n  fragment ClientFlow on Flow {\n    id name status createdAt finishedAt\n    jobs { ...ClientJob flowId flowKey dependsOn { id } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ClientSubmitFlow($input: SubmitFlowInput!) {\n    submitFlow(input: $input) { flow { ...ClientFlow } userErrors { code field message } }\n  }\n"): (typeof documents)["\n  mutation ClientSubmitFlow($input: SubmitFlowInput!) {\n    submitFlow(input: $input) { flow { ...ClientFlow } userErrors { code field message } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ClientWatchFlow($id: ID!) {\n    flowUpdated(id: $id) { ...ClientFlow }\n  }\n"): (typeof documents)["\n  subscription ClientWatchFlow($id: ID!) {\n    flowUpdated(id: $id) { ...ClientFlow }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;