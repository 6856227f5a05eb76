// The public operations the typed client sends (typed by `npm run codegen`).
import { graphql } from './gql/index.js';

export const JobFields = graphql(`
  fragment ClientJob on Job {
    id type queue status priority attempts maxAttempts progress payload result lastError
    runAt createdAt updatedAt startedAt finishedAt submittedBy tenant owner
  }
`);

export const SubmitJobDocument = graphql(`
  mutation ClientSubmitJob($input: SubmitJobInput!) {
    submitJob(input: $input) { job { ...ClientJob } userErrors { code field message } }
  }
`);

export const SubmitJobsDocument = graphql(`
  mutation ClientSubmitJobs($input: [SubmitJobInput!]!) {
    submitJobs(input: $input) { jobs { ...ClientJob } userErrors { code field message } }
  }
`);

export const JobDocument = graphql(`
  query ClientJob($id: ID!) {
    job(id: $id) { ...ClientJob }
  }
`);

export const CancelJobDocument = graphql(`
  mutation ClientCancelJob($id: ID!) {
    cancelJob(id: $id) { job { ...ClientJob } userErrors { code field message } }
  }
`);

export const RetryJobDocument = graphql(`
  mutation ClientRetryJob($id: ID!) {
    retryJob(id: $id) { job { ...ClientJob } userErrors { code field message } }
  }
`);

export const WatchJobDocument = graphql(`
  subscription ClientWatchJob($id: ID!) {
    jobUpdated(id: $id) { ...ClientJob }
  }
`);

export const CreateJobTokenDocument = graphql(`
  mutation ClientCreateJobToken($id: ID!, $ttlSeconds: Int) {
    createJobToken(id: $id, ttlSeconds: $ttlSeconds) { token expiresAt userErrors { code field message } }
  }
`);

export const FlowFields = graphql(`
  fragment ClientFlow on Flow {
    id name status createdAt finishedAt
    jobs { ...ClientJob flowId flowKey dependsOn { id } }
  }
`);

export const SubmitFlowDocument = graphql(`
  mutation ClientSubmitFlow($input: SubmitFlowInput!) {
    submitFlow(input: $input) { flow { ...ClientFlow } userErrors { code field message } }
  }
`);

export const WatchFlowDocument = graphql(`
  subscription ClientWatchFlow($id: ID!) {
    flowUpdated(id: $id) { ...ClientFlow }
  }
`);
