// `npm run docs` prints the reference parts of docs/ from the code that decides them, so
// they cannot drift: docs/configuration.md from the settings (src/config.ts), the state
// diagram in docs/architecture.md from the transition table (src/domain/transitions.ts),
// and the error codes in docs/api.md from src/domain/errors.ts. With --check it changes
// nothing and fails when a file is stale (`npm run check` runs it).
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { configSchema } from '../src/config.js';
import { ERROR_CODES, USER_ERROR_CODES } from '../src/domain/errors.js';
import { TRANSITIONS } from '../src/domain/transitions.js';

const ROOT = new URL('..', import.meta.url);
const check = process.argv.includes('--check');

interface Property {
  description?: string;
  default?: unknown;
  type?: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function configuration(): string {
  const json = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, Property> };
  const rows = Object.entries(json.properties).map(([name, property]) => {
    if (!property.description) throw new Error(`src/config.ts: ${name} has no .describe(): every setting says what it does`);
    const derived = property.default === undefined && /Default: /.test(property.description);
    const fallback = derived ? '(derived, see text)' : property.default === undefined || property.default === '' ? '(none)' : `\`${String(property.default)}\``;
    const values = property.enum
      ? property.enum.map((value) => `\`${value}\``).join(', ')
      : property.minimum !== undefined && property.maximum !== undefined
        ? `${property.minimum} to ${property.maximum}`
        : '';
    return `| \`${name}\` | ${fallback} | ${values} | ${cell(property.description)} |`;
  });
  return `# Configuration

<!-- Printed by \`npm run docs\` from src/config.ts; \`npm run check\` fails when it is stale. Edit the code, not this file. -->

Every setting is an environment variable, read once at start and checked; a bad value
stops the process (exit code 78) with a message naming each bad variable (secrets are
never echoed). An empty variable counts as unset.

| variable | default | values | what it sets |
|---|---|---|---|
${rows.join('\n')}
`;
}

function states(): string {
  // One arrow per pair of statuses, labelled with every transition that takes it.
  const arrows = new Map<string, string[]>();
  for (const [name, transition] of Object.entries(TRANSITIONS)) {
    for (const from of transition.from) {
      for (const to of transition.to) {
        const key = `${from ?? '[*]'} --> ${to}`;
        arrows.set(key, [...(arrows.get(key) ?? []), name]);
      }
    }
  }
  const finals = ['COMPLETED', 'FAILED', 'CANCELLED'].map((status) => `  ${status} --> [*]`);
  const table = Object.entries(TRANSITIONS).map(
    ([name, t]) => `| \`${name}\` | ${t.from.map((status) => status ?? '(new)').join(', ')} | ${t.to.join(', ')} | ${t.event} | ${t.by} | ${t.queue ?? '—'} | ${cell(t.when)} |`,
  );
  return `\`\`\`mermaid
stateDiagram-v2
${[...arrows].map(([arrow, names]) => `  ${arrow}: ${names.join(', ')}`).join('\n')}
${finals.join('\n')}
\`\`\`

| transition | from | to | event | by | Redis | when |
|---|---|---|---|---|---|---|
${table.join('\n')}`;
}

function codes(list: Record<string, string>): string {
  return `| code | meaning |\n|---|---|\n${Object.entries(list)
    .map(([code, meaning]) => `| \`${code}\` | ${cell(meaning)} |`)
    .join('\n')}`;
}

/** Replaces what stands between `<!-- generated:name -->` and `<!-- /generated:name -->`. */
function between(text: string, name: string, content: string, file: string): string {
  const open = `<!-- generated:${name} (npm run docs) -->`;
  const close = `<!-- /generated:${name} -->`;
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  if (start < 0 || end < start) throw new Error(`${file}: no ${open} ... ${close} markers`);
  return `${text.slice(0, start + open.length)}\n${content}\n${text.slice(end)}`;
}

const outputs: [string, (current: string) => string][] = [
  ['docs/configuration.md', () => configuration()],
  ['docs/architecture.md', (current) => between(current, 'states', states(), 'docs/architecture.md')],
  ['docs/api.md', (current) => between(between(current, 'user-errors', codes(USER_ERROR_CODES), 'docs/api.md'), 'errors', codes(ERROR_CODES), 'docs/api.md')],
];

let stale = 0;
for (const [file, make] of outputs) {
  const url = new URL(file, ROOT);
  let current = '';
  try {
    current = readFileSync(url, 'utf8');
  } catch {
    // a file printed whole may not exist yet
  }
  const next = make(current);
  if (next === current) continue;
  if (check) {
    console.error(`${file} is stale: run \`npm run docs\``);
    stale++;
  } else {
    writeFileSync(url, next);
    console.error(`wrote ${file}`);
  }
}
process.exit(stale ? 1 : 0);
