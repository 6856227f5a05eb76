// Prints the Pothos schema to schema.graphql (`npm run schema`). With --check, exits 1
// when the committed file differs from what the code builds (CI and `npm run check`).
import { readFileSync, writeFileSync } from 'node:fs';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema } from '../src/schema/index.js';

const path = new URL('../schema.graphql', import.meta.url);
const printed = `${printSchema(lexicographicSortSchema(buildSchema()))}\n`;

if (process.argv.includes('--check')) {
  const committed = readFileSync(path, 'utf8');
  if (committed !== printed) {
    console.error('schema.graphql is stale: run `npm run schema` and commit it.');
    process.exit(1);
  }
} else {
  writeFileSync(path, printed);
}
