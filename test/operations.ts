// The GraphQL operations the tests send, as typed documents (see codegen.ts).
import { graphql } from './gql/index.js';

export const SubmitJob = graphql(`
  mutation SubmitJob($input: SubmitJobInput!) {
    submitJob(input: $input) {
      job { id queue type payload status priority attempts maxAttempts progress result lastError idempotencyKey runAt createdAt updatedAt startedAt finishedAt }
      userErrors { code field message }
    }
  }
`);

export const SubmitJobs = graphql(`
  mutation SubmitJobs($input: [SubmitJobInput!]!) {
    submitJobs(input: $input) {
      jobs { id type status priority payload idempotencyKey }
      userErrors { code field message }
    }
  }
`);

export const RetryJob = graphql(`
  mutation RetryJob($id: ID!) {
    retryJob(id: $id) {
      job { id status attempts }
      userErrors { code field message }
    }
  }
`);

export const CancelJob = graphql(`
  mutation CancelJob($id: ID!) {
    cancelJob(id: $id) {
      job { id status finishedAt }
      userErrors { code field message }
    }
  }
`);

export const GetJob = graphql(`
  query GetJob($id: ID!) {
    job(id: $id) {
      id type status priority attempts maxAttempts progress result lastError runAt startedAt finishedAt payload
      events(first: 100) { nodes { id type status attempt progress message data createdAt } }
    }
  }
`);

export const ListJobs = graphql(`
  query ListJobs($filter: JobFilter, $orderBy: JobOrder, $first: Int, $after: String, $last: Int, $before: String) {
    jobs(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
      totalCount
      edges { cursor node { id type queue status priority createdAt updatedAt } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`);

export const JobEvents = graphql(`
  query JobEvents($id: ID!, $first: Int, $after: String) {
    job(id: $id) {
      events(first: $first, after: $after) {
        edges { cursor node { id type status attempt job { id status } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`);

export const Stats = graphql(`
  query Stats($queue: String) {
    jobStats(queue: $queue) { queue total pending scheduled running retrying completed failed cancelled }
  }
`);

export const JobTypes = graphql(`
  query JobTypes {
    jobTypes { name description payloadSchema }
  }
`);

export const WatchJob = graphql(`
  subscription WatchJob($id: ID!) {
    jobUpdated(id: $id) { id status progress attempts result lastError updatedAt }
  }
`);

export const WatchJobEvents = graphql(`
  subscription WatchJobEvents($filter: JobEventFilter, $after: ID) {
    jobEvents(filter: $filter, after: $after) { id jobId type status attempt progress message createdAt job { id queue type } }
  }
`);

export const JobHistory = graphql(`
  query JobHistory($filter: JobFilter) {
    jobs(filter: $filter, first: 200) {
      nodes { id events(first: 20) { nodes { id jobId type } } }
    }
  }
`);
