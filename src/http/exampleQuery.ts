// The query GraphiQL opens with: a tour of what the API does.
export const EXAMPLE_QUERY = `# Submit a job, then look it up by the id it returns.
mutation Submit {
  submitJob(input: { type: "echo", payload: { hello: "world" } }) {
    job { id status }
    userErrors { code field message }
  }
}

query Recent {
  jobs(first: 10) {
    totalCount
    nodes { id type status result lastError createdAt }
  }
  jobStats { total pending running completed failed }
}

# Watch events live (run it, then submit jobs in another tab). Pass
# after: "<event id>" to replay everything since that event first.
subscription Watch {
  jobEvents { id type status progress job { id type } }
}
`;
