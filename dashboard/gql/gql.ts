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
    "\n  mutation DashboardCancelFlow($id: ID!) { payload: cancelFlow(id: $id) { userErrors { code field message } } }\n": typeof types.DashboardCancelFlowDocument,
    "\n  query DashboardFlows($filter: FlowFilter, $first: Int, $after: String) {\n    flows(filter: $filter, first: $first, after: $after) {\n      nodes { id name status jobCount createdAt finishedAt }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.DashboardFlowsDocument,
    "\n  subscription DashboardJobEvents($after: ID, $filter: JobEventFilter) {\n    jobEvents(after: $after, filter: $filter) { id jobId type status progress createdAt job { queue type flowId } }\n  }\n": typeof types.DashboardJobEventsDocument,
    "\n  fragment DashboardAttemptError on AttemptError { name message stack }\n": typeof types.DashboardAttemptErrorFragmentDoc,
    "\n  query DashboardJob($id: ID!) {\n    job(id: $id) {\n      id type queue status priority attempts maxAttempts timeoutMs progress payload result lastError tags owner tenant submittedBy idempotencyKey runAt createdAt startedAt finishedAt flowId flowKey waitingFor\n      lastAttemptError { ...DashboardAttemptError cause { ...DashboardAttemptError cause { ...DashboardAttemptError cause { ...DashboardAttemptError cause { ...DashboardAttemptError } } } } }\n      events(last: 500) { pageInfo { hasPreviousPage } nodes { id type status attempt progress message createdAt error { ...DashboardAttemptError cause { ...DashboardAttemptError } } } }\n      logs(first: 500) { pageInfo { hasNextPage } nodes { attempt level message data at } }\n    }\n  }\n": typeof types.DashboardJobDocument,
    "\n    mutation DashboardRetryJob($id: ID!) { payload: retryJob(id: $id) { userErrors { code field message } } }\n  ": typeof types.DashboardRetryJobDocument,
    "\n    mutation DashboardCancelJob($id: ID!) { payload: cancelJob(id: $id) { userErrors { code field message } } }\n  ": typeof types.DashboardCancelJobDocument,
    "\n    mutation DashboardPromoteJob($id: ID!) { payload: promoteJob(id: $id) { userErrors { code field message } } }\n  ": typeof types.DashboardPromoteJobDocument,
    "\n  query DashboardJobs($filter: JobFilter, $first: Int, $after: String, $last: Int, $before: String) {\n    jobs(filter: $filter, first: $first, after: $after, last: $last, before: $before) {\n      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      nodes { id type queue status attempts maxAttempts progress tags createdAt startedAt finishedAt lastAttemptError { name message } lastError }\n    }\n  }\n": typeof types.DashboardJobsDocument,
    "\n  query DashboardJobStats($queue: String) { jobStats(queue: $queue) { total pending scheduled blocked running retrying completed failed cancelled } }\n": typeof types.DashboardJobStatsDocument,
    "\n  query DashboardBulkCounts($retry: JobFilter, $cancel: JobFilter, $delete: JobFilter) {\n    retry: jobs(filter: $retry, first: 1) { totalCount }\n    cancel: jobs(filter: $cancel, first: 1) { totalCount }\n    delete: jobs(filter: $delete, first: 1) { totalCount }\n  }\n": typeof types.DashboardBulkCountsDocument,
    "\n    mutation DashboardRetryJobs($filter: JobFilter!) { payload: retryJobs(filter: $filter) { count userErrors { code field message } } }\n  ": typeof types.DashboardRetryJobsDocument,
    "\n    mutation DashboardCancelJobs($filter: JobFilter!) { payload: cancelJobs(filter: $filter) { count userErrors { code field message } } }\n  ": typeof types.DashboardCancelJobsDocument,
    "\n    mutation DashboardDeleteJobs($filter: JobFilter!) { payload: deleteJobs(filter: $filter) { count userErrors { code field message } } }\n  ": typeof types.DashboardDeleteJobsDocument,
    "\n  query DashboardViewer { viewer { name tenant scopes } }\n": typeof types.DashboardViewerDocument,
    "\n  query DashboardOverview { queues { name paused counts { pending scheduled blocked running retrying completed failed cancelled } } }\n": typeof types.DashboardOverviewDocument,
    "\n  query DashboardFinished($since: DateTime!, $queue: String) {\n    finishedOverTime(since: $since, bucketSeconds: 10, queue: $queue) { at completed failed cancelled }\n  }\n": typeof types.DashboardFinishedDocument,
    "\n  query DashboardQueues { queues { name paused concurrency rateLimit { max durationMs } counts { pending running } waitingSince finishedLastMinute } }\n": typeof types.DashboardQueuesDocument,
    "\n    mutation DashboardPauseQueue($name: String!) { payload: pauseQueue(name: $name) { userErrors { code field message } } }\n  ": typeof types.DashboardPauseQueueDocument,
    "\n    mutation DashboardResumeQueue($name: String!) { payload: resumeQueue(name: $name) { userErrors { code field message } } }\n  ": typeof types.DashboardResumeQueueDocument,
    "\n  mutation DashboardUpdateQueue($name: String!, $input: QueueSettingsInput!) { updateQueue(name: $name, input: $input) { userErrors { code field message } } }\n": typeof types.DashboardUpdateQueueDocument,
    "\n  query DashboardSchedules { schedules { id name cron timezone paused nextRuns(count: 3) lastRunAt lastJob { id status } job } }\n": typeof types.DashboardSchedulesDocument,
    "\n    mutation DashboardPauseSchedule($id: ID!) { payload: pauseSchedule(id: $id) { userErrors { code field message } } }\n  ": typeof types.DashboardPauseScheduleDocument,
    "\n    mutation DashboardResumeSchedule($id: ID!) { payload: resumeSchedule(id: $id) { userErrors { code field message } } }\n  ": typeof types.DashboardResumeScheduleDocument,
    "\n    mutation DashboardRunSchedule($id: ID!) { payload: runSchedule(id: $id) { userErrors { code field message } } }\n  ": typeof types.DashboardRunScheduleDocument,
    "\n    mutation DashboardDeleteSchedule($id: ID!) { payload: deleteSchedule(id: $id) { userErrors { code field message } } }\n  ": typeof types.DashboardDeleteScheduleDocument,
    "\n  mutation DashboardCreateSchedule($input: CreateScheduleInput!) { createSchedule(input: $input) { schedule { id } userErrors { code field message } } }\n": typeof types.DashboardCreateScheduleDocument,
    "\n  query DashboardJobTypes { jobTypes { name description payloadSchema } }\n": typeof types.DashboardJobTypesDocument,
    "\n  query DashboardWorkers { workers { id kind hostname pid queues types concurrency running { id type } startedAt lastSeenAt memoryBytes } }\n": typeof types.DashboardWorkersDocument,
};
const documents: Documents = {
    "\n  mutation DashboardCancelFlow($id: ID!) { payload: cancelFlow(id: $id) { userErrors { code field message } } }\n": types.DashboardCancelFlowDocument,
    "\n  query DashboardFlows($filter: FlowFilter, $first: Int, $after: String) {\n    flows(filter: $filter, first: $first, after: $after) {\n      nodes { id name status jobCount createdAt finishedAt }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.DashboardFlowsDocument,
    "\n  subscription DashboardJobEvents($after: ID, $filter: JobEventFilter) {\n    jobEvents(after: $after, filter: $filter) { id jobId type status progress createdAt job { queue type flowId } }\n  }\n": types.DashboardJobEventsDocument,
    "\n  fragment DashboardAttemptError on AttemptError { name message stack }\n": types.DashboardAttemptErrorFragmentDoc,
    "\n  query DashboardJob($id: ID!) {\n    job(id: $id) {\n      id type queue status priority attempts maxAttempts timeoutMs progress payload result lastError tags owner tenant submittedBy idempotencyKey runAt createdAt startedAt finishedAt flowId flowKey waitingFor\n      lastAttemptError { ...DashboardAttemptError cause { ...DashboardAttemptError cause { ...DashboardAttemptError cause { ...DashboardAttemptError cause { ...DashboardAttemptError } } } } }\n      events(last: 500) { pageInfo { hasPreviousPage } nodes { id type status attempt progress message createdAt error { ...DashboardAttemptError cause { ...DashboardAttemptError } } } }\n      logs(first: 500) { pageInfo { hasNextPage } nodes { attempt level message data at } }\n    }\n  }\n": types.DashboardJobDocument,
    "\n    mutation DashboardRetryJob($id: ID!) { payload: retryJob(id: $id) { userErrors { code field message } } }\n  ": types.DashboardRetryJobDocument,
    "\n    mutation DashboardCancelJob($id: ID!) { payload: cancelJob(id: $id) { userErrors { code field message } } }\n  ": types.DashboardCancelJobDocument,
    "\n    mutation DashboardPromoteJob($id: ID!) { payload: promoteJob(id: $id) { userErrors { code field message } } }\n  ": types.DashboardPromoteJobDocument,
    "\n  query DashboardJobs($filter: JobFilter, $first: Int, $after: String, $last: Int, $before: String) {\n    jobs(filter: $filter, first: $first, after: $after, last: $last, before: $before) {\n      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      nodes { id type queue status attempts maxAttempts progress tags createdAt startedAt finishedAt lastAttemptError { name message } lastError }\n    }\n  }\n": types.DashboardJobsDocument,
    "\n  query DashboardJobStats($queue: String) { jobStats(queue: $queue) { total pending scheduled blocked running retrying completed failed cancelled } }\n": types.DashboardJobStatsDocument,
    "\n  query DashboardBulkCounts($retry: JobFilter, $cancel: JobFilter, $delete: JobFilter) {\n    retry: jobs(filter: $retry, first: 1) { totalCount }\n    cancel: jobs(filter: $cancel, first: 1) { totalCount }\n    delete: jobs(filter: $delete, first: 1) { totalCount }\n  }\n": types.DashboardBulkCountsDocument,
    "\n    mutation DashboardRetryJobs($filter: JobFilter!) { payload: retryJobs(filter: $filter) { count userErrors { code field message } } }\n  ": types.DashboardRetryJobsDocument,
    "\n    mutation DashboardCancelJobs($filter: JobFilter!) { payload: cancelJobs(filter: $filter) { count userErrors { code field message } } }\n  ": types.DashboardCancelJobsDocument,
    "\n    mutation DashboardDeleteJobs($filter: JobFilter!) { payload: deleteJobs(filter: $filter) { count userErrors { code field message } } }\n  ": types.DashboardDeleteJobsDocument,
    "\n  query DashboardViewer { viewer { name tenant scopes } }\n": types.DashboardViewerDocument,
    "\n  query DashboardOverview { queues { name paused counts { pending scheduled blocked running retrying completed failed cancelled } } }\n": types.DashboardOverviewDocument,
    "\n  query DashboardFinished($since: DateTime!, $queue: String) {\n    finishedOverTime(since: $since, bucketSeconds: 10, queue: $queue) { at completed failed cancelled }\n  }\n": types.DashboardFinishedDocument,
    "\n  query DashboardQueues { queues { name paused concurrency rateLimit { max durationMs } counts { pending running } waitingSince finishedLastMinute } }\n": types.DashboardQueuesDocument,
    "\n    mutation DashboardPauseQueue($name: String!) { payload: pauseQueue(name: $name) { userErrors { code field message } } }\n  ": types.DashboardPauseQueueDocument,
    "\n    mutation DashboardResumeQueue($name: String!) { payload: resumeQueue(name: $name) { userErrors { code field message } } }\n  ": types.DashboardResumeQueueDocument,
    "\n  mutation DashboardUpdateQueue($name: String!, $input: QueueSettingsInput!) { updateQueue(name: $name, input: $input) { userErrors { code field message } } }\n": types.DashboardUpdateQueueDocument,
    "\n  query DashboardSchedules { schedules { id name cron timezone paused nextRuns(count: 3) lastRunAt lastJob { id status } job } }\n": types.DashboardSchedulesDocument,
    "\n    mutation DashboardPauseSchedule($id: ID!) { payload: pauseSchedule(id: $id) { userErrors { code field message } } }\n  ": types.DashboardPauseScheduleDocument,
    "\n    mutation DashboardResumeSchedule($id: ID!) { payload: resumeSchedule(id: $id) { userErrors { code field message } } }\n  ": types.DashboardResumeScheduleDocument,
    "\n    mutation DashboardRunSchedule($id: ID!) { payload: runSchedule(id: $id) { userErrors { code field message } } }\n  ": types.DashboardRunScheduleDocument,
    "\n    mutation DashboardDeleteSchedule($id: ID!) { payload: deleteSchedule(id: $id) { userErrors { code field message } } }\n  ": types.DashboardDeleteScheduleDocument,
    "\n  mutation DashboardCreateSchedule($input: CreateScheduleInput!) { createSchedule(input: $input) { schedule { id } userErrors { code field message } } }\n": types.DashboardCreateScheduleDocument,
    "\n  query DashboardJobTypes { jobTypes { name description payloadSchema } }\n": types.DashboardJobTypesDocument,
    "\n  query DashboardWorkers { workers { id kind hostname pid queues types concurrency running { id type } startedAt lastSeenAt memoryBytes } }\n": types.DashboardWorkersDocument,
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
export function graphql(source: "\n  mutation DashboardCancelFlow($id: ID!) { payload: cancelFlow(id: $id) { userErrors { code field message } } }\n"): (typeof documents)["\n  mutation DashboardCancelFlow($id: ID!) { payload: cancelFlow(id: $id) { userErrors { code field message } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardFlows($filter: FlowFilter, $first: Int, $after: String) {\n    flows(filter: $filter, first: $first, after: $after) {\n      nodes { id name status jobCount createdAt finishedAt }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query DashboardFlows($filter: FlowFilter, $first: Int, $after: String) {\n    flows(filter: $filter, first: $first, after: $after) {\n      nodes { id name status jobCount createdAt finishedAt }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription DashboardJobEvents($after: ID, $filter: JobEventFilter) {\n    jobEvents(after: $after, filter: $filter) { id jobId type status progress createdAt job { queue type flowId } }\n  }\n"): (typeof documents)["\n  subscription DashboardJobEvents($after: ID, $filter: JobEventFilter) {\n    jobEvents(after: $after, filter: $filter) { id jobId type status progress createdAt job { queue type flowId } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment DashboardAttemptError on AttemptError { name message stack }\n"): (typeof documents)["\n  fragment DashboardAttemptError on AttemptError { name message stack }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardJob($id: ID!) {\n    job(id: $id) {\n      id type queue status priority attempts maxAttempts timeoutMs progress payload result lastError tags owner tenant submittedBy idempotencyKey runAt createdAt startedAt finishedAt flowId flowKey waitingFor\n      lastAttemptError { ...DashboardAttemptError cause { ...DashboardAttemptError cause { ...DashboardAttemptError cause { ...DashboardAttemptError cause { ...DashboardAttemptError } } } } }\n      events(last: 500) { pageInfo { hasPreviousPage } nodes { id type status attempt progress message createdAt error { ...DashboardAttemptError cause { ...DashboardAttemptError } } } }\n      logs(first: 500) { pageInfo { hasNextPage } nodes { attempt level message data at } }\n    }\n  }\n"): (typeof documents)["\n  query DashboardJob($id: ID!) {\n    job(id: $id) {\n      id type queue status priority attempts maxAttempts timeoutMs progress payload result lastError tags owner tenant submittedBy idempotencyKey runAt createdAt startedAt finishedAt flowId flowKey waitingFor\n      lastAttemptError { ...DashboardAttemptError cause { ...DashboardAttemptError cause { ...DashboardAttemptError cause { ...DashboardAttemptError cause { ...DashboardAttemptError } } } } }\n      events(last: 500) { pageInfo { hasPreviousPage } nodes { id type status attempt progress message createdAt error { ...DashboardAttemptError cause { ...DashboardAttemptError } } } }\n      logs(first: 500) { pageInfo { hasNextPage } nodes { attempt level message data at } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    mutation DashboardRetryJob($id: ID!) { payload: retryJob(id: $id) { userErrors { code field message } } }\n  "): (typeof documents)["\n    mutation DashboardRetryJob($id: ID!) { payload: retryJob(id: $id) { userErrors { code field message } } }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    mutation DashboardCancelJob($id: ID!) { payload: cancelJob(id: $id) { userErrors { code field message } } }\n  "): (typeof documents)["\n    mutation DashboardCancelJob($id: ID!) { payload: cancelJob(id: $id) { userErrors { code field message } } }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    mutation DashboardPromoteJob($id: ID!) { payload: promoteJob(id: $id) { userErrors { code field message } } }\n  "): (typeof documents)["\n    mutation DashboardPromoteJob($id: ID!) { payload: promoteJob(id: $id) { userErrors { code field message } } }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardJobs($filter: JobFilter, $first: Int, $after: String, $last: Int, $before: String) {\n    jobs(filter: $filter, first: $first, after: $after, last: $last, before: $before) {\n      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      nodes { id type queue status attempts maxAttempts progress tags createdAt startedAt finishedAt lastAttemptError { name message } lastError }\n    }\n  }\n"): (typeof documents)["\n  query DashboardJobs($filter: JobFilter, $first: Int, $after: String, $last: Int, $before: String) {\n    jobs(filter: $filter, first: $first, after: $after, last: $last, before: $before) {\n      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      nodes { id type queue status attempts maxAttempts progress tags createdAt startedAt finishedAt lastAttemptError { name message } lastError }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardJobStats($queue: String) { jobStats(queue: $queue) { total pending scheduled blocked running retrying completed failed cancelled } }\n"): (typeof documents)["\n  query DashboardJobStats($queue: String) { jobStats(queue: $queue) { total pending scheduled blocked running retrying completed failed cancelled } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardBulkCounts($retry: JobFilter, $cancel: JobFilter, $delete: JobFilter) {\n    retry: jobs(filter: $retry, first: 1) { totalCount }\n    cancel: jobs(filter: $cancel, first: 1) { totalCount }\n    delete: jobs(filter: $delete, first: 1) { totalCount }\n  }\n"): (typeof documents)["\n  query DashboardBulkCounts($retry: JobFilter, $cancel: JobFilter, $delete: JobFilter) {\n    retry: jobs(filter: $retry, first: 1) { totalCount }\n    cancel: jobs(filter: $cancel, first: 1) { totalCount }\n    delete: jobs(filter: $delete, first: 1) { totalCount }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    mutation DashboardRetryJobs($filter: JobFilter!) { payload: retryJobs(filter: $filter) { count userErrors { code field message } } }\n  "): (typeof documents)["\n    mutation DashboardRetryJobs($filter: JobFilter!) { payload: retryJobs(filter: $filter) { count userErrors { code field message } } }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    mutation DashboardCancelJobs($filter: JobFilter!) { payload: cancelJobs(filter: $filter) { count userErrors { code field message } } }\n  "): (typeof documents)["\n    mutation DashboardCancelJobs($filter: JobFilter!) { payload: cancelJobs(filter: $filter) { count userErrors { code field message } } }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    mutation DashboardDeleteJobs($filter: JobFilter!) { payload: deleteJobs(filter: $filter) { count userErrors { code field message } } }\n  "): (typeof documents)["\n    mutation DashboardDeleteJobs($filter: JobFilter!) { payload: deleteJobs(filter: $filter) { count userErrors { code field message } } }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardViewer { viewer { name tenant scopes } }\n"): (typeof documents)["\n  query DashboardViewer { viewer { name tenant scopes } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardOverview { queues { name paused counts { pending scheduled blocked running retrying completed failed cancelled } } }\n"): (typeof documents)["\n  query DashboardOverview { queues { name paused counts { pending scheduled blocked running retrying completed failed cancelled } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardFinished($since: DateTime!, $queue: String) {\n    finishedOverTime(since: $since, bucketSeconds: 10, queue: $queue) { at completed failed cancelled }\n  }\n"): (typeof documents)["\n  query DashboardFinished($since: DateTime!, $queue: String) {\n    finishedOverTime(since: $since, bucketSeconds: 10, queue: $queue) { at completed failed cancelled }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardQueues { queues { name paused concurrency rateLimit { max durationMs } counts { pending running } waitingSince finishedLastMinute } }\n"): (typeof documents)["\n  query DashboardQueues { queues { name paused concurrency rateLimit { max durationMs } counts { pending running } waitingSince finishedLastMinute } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    mutation DashboardPauseQueue($name: String!) { payload: pauseQueue(name: $name) { userErrors { code field message } } }\n  "): (typeof documents)["\n    mutation DashboardPauseQueue($name: String!) { payload: pauseQueue(name: $name) { userErrors { code field message } } }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    mutation DashboardResumeQueue($name: String!) { payload: resumeQueue(name: $name) { userErrors { code field message } } }\n  "): (typeof documents)["\n    mutation DashboardResumeQueue($name: String!) { payload: resumeQueue(name: $name) { userErrors { code field message } } }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DashboardUpdateQueue($name: String!, $input: QueueSettingsInput!) { updateQueue(name: $name, input: $input) { userErrors { code field message } } }\n"): (typeof documents)["\n  mutation DashboardUpdateQueue($name: String!, $input: QueueSettingsInput!) { updateQueue(name: $name, input: $input) { userErrors { code field message } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardSchedules { schedules { id name cron timezone paused nextRuns(count: 3) lastRunAt lastJob { id status } job } }\n"): (typeof documents)["\n  query DashboardSchedules { schedules { id name cron timezone paused nextRuns(count: 3) lastRunAt lastJob { id status } job } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    mutation DashboardPauseSchedule($id: ID!) { payload: pauseSchedule(id: $id) { userErrors { code field message } } }\n  "): (typeof documents)["\n    mutation DashboardPauseSchedule($id: ID!) { payload: pauseSchedule(id: $id) { userErrors { code field message } } }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    mutation DashboardResumeSchedule($id: ID!) { payload: resumeSchedule(id: $id) { userErrors { code field message } } }\n  "): (typeof documents)["\n    mutation DashboardResumeSchedule($id: ID!) { payload: resumeSchedule(id: $id) { userErrors { code field message } } }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    mutation DashboardRunSchedule($id: ID!) { payload: runSchedule(id: $id) { userErrors { code field message } } }\n  "): (typeof documents)["\n    mutation DashboardRunSchedule($id: ID!) { payload: runSchedule(id: $id) { userErrors { code field message } } }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    mutation DashboardDeleteSchedule($id: ID!) { payload: deleteSchedule(id: $id) { userErrors { code field message } } }\n  "): (typeof documents)["\n    mutation DashboardDeleteSchedule($id: ID!) { payload: deleteSchedule(id: $id) { userErrors { code field message } } }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DashboardCreateSchedule($input: CreateScheduleInput!) { createSchedule(input: $input) { schedule { id } userErrors { code field message } } }\n"): (typeof documents)["\n  mutation DashboardCreateSchedule($input: CreateScheduleInput!) { createSchedule(input: $input) { schedule { id } userErrors { code field message } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardJobTypes { jobTypes { name description payloadSchema } }\n"): (typeof documents)["\n  query DashboardJobTypes { jobTypes { name description payloadSchema } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardWorkers { workers { id kind hostname pid queues types concurrency running { id type } startedAt lastSeenAt memoryBytes } }\n"): (typeof documents)["\n  query DashboardWorkers { workers { id kind hostname pid queues types concurrency running { id type } startedAt lastSeenAt memoryBytes } }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;