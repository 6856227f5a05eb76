// Compares schema.graphql (or the schema file given second) with the public API contract
// (contract/api-contract.graphql, or the file given first) and prints every breaking
// change as a JSON array of messages; exits 1 when there is any.
import { readFileSync } from 'node:fs';
import { buildSchema } from 'graphql';
import { CriticalityLevel, diff } from '@graphql-inspector/core';

const contractPath = process.argv[2] ?? new URL('../contract/api-contract.graphql', import.meta.url).pathname;
const contract = buildSchema(readFileSync(contractPath, 'utf8'));
const ours = buildSchema(readFileSync(process.argv[3] ?? new URL('../schema.graphql', import.meta.url), 'utf8'));
const breaking = (await diff(contract, ours))
  .filter((change) => change.criticality.level === CriticalityLevel.Breaking)
  .map((change) => change.message);
console.log(JSON.stringify(breaking));
process.exitCode = breaking.length ? 1 : 0;
