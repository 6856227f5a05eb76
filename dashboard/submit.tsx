// Submit a job: a form built from each type's payload JSON Schema (a JSON box for
// anything else), then the job's own page.
import { useState } from 'preact/hooks';
import { client, describe } from './api.js';
import { graphql } from './gql/index.js';
import { navigate, useQuery } from './hooks.js';
import { Section } from './ui.js';

const TYPES = graphql(`
  query DashboardJobTypes { jobTypes { name description payloadSchema } }
`);

/** The part of a payload JSON Schema the form is built from (payloadSchema is JSON: untyped). */
export interface Schema {
  type?: string;
  properties?: Record<string, { type?: string; enum?: string[] }>;
  required?: string[];
}

/** The payload the form's fields make, for the type's schema (its JSON box for a schema the form cannot show). */
export function payloadOf(form: HTMLFormElement, schema: Schema | null): unknown {
  const data = new FormData(form);
  if (schema?.type !== 'object' || !schema.properties) return JSON.parse((data.get('raw') as string) || 'null');
  const payload: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema.properties)) {
    const value = data.get(name) as string | null;
    if (property.type === 'boolean') payload[name] = value === 'on';
    else if (value === null || value === '') continue;
    else if (property.type === 'integer' || property.type === 'number') payload[name] = Number(value);
    else if (property.type === 'string' || property.enum) payload[name] = value;
    else payload[name] = JSON.parse(value);
  }
  return payload;
}

/** The types the credential may submit, with their payload schemas. */
export function useJobTypes() {
  const { data } = useQuery(TYPES, {}, 'types');
  return data?.jobTypes ?? [];
}

/** A field for each property of the payload's schema, or a JSON box (name "raw") for anything else. */
export function PayloadFields({ schema, initial }: { schema: Schema | null; initial?: unknown }) {
  const properties = schema?.type === 'object' ? schema.properties : undefined;
  if (!properties) {
    return (
      <label>
        <span>payload (JSON)</span>
        <textarea name="raw" rows={3} cols={40} defaultValue={initial === undefined ? '{}' : JSON.stringify(initial)} />
      </label>
    );
  }
  return (
    <>
      {Object.entries(properties).map(([name, property]) => (
        <label key={name}>
          <span>{name}{schema?.required?.includes(name) ? ' *' : ''}</span>
          {property.enum ? (
            <select name={name}>
              <option value="" />
              {property.enum.map((value) => <option key={value} value={value}>{value}</option>)}
            </select>
          ) : property.type === 'boolean' ? (
            <input name={name} type="checkbox" />
          ) : property.type === 'integer' || property.type === 'number' ? (
            <input name={name} type="number" />
          ) : property.type === 'string' ? (
            <input name={name} />
          ) : (
            <textarea name={name} rows={2} placeholder="JSON" />
          )}
        </label>
      ))}
    </>
  );
}

export function Submit({ onError }: { onError: (message: string | null) => void }) {
  const types = useJobTypes();
  const [chosen, setChosen] = useState<string | null>(null);
  const type = types.find((candidate) => candidate.name === chosen) ?? types[0];
  const schema = (type?.payloadSchema ?? null) as Schema | null;
  return (
    <Section title="Submit a job" wide>
      <form
        id="submit"
        onSubmit={(event) => {
          event.preventDefault();
          const form = event.currentTarget;
          void (async () => {
            onError(null);
            try {
              const fields = new FormData(form);
              const tags = ((fields.get('tags') as string) || '').split(',').map((tag) => tag.trim()).filter(Boolean);
              const job = await client.submitJob({ type: type?.name ?? '', payload: payloadOf(form, schema), priority: Number(fields.get('priority') || 0), tags });
              navigate(`/jobs/${job.id}`);
            } catch (failure) {
              onError(describe(failure));
            }
          })();
        }}
      >
        <label>
          <span>type</span>
          <select id="sType" aria-label="job type" value={type?.name} onChange={(event) => setChosen(event.currentTarget.value)}>
            {types.map((candidate) => <option key={candidate.name} value={candidate.name}>{candidate.name}</option>)}
          </select>
        </label>
        {type?.description && <p class="muted">{type.description}</p>}
        <div id="sFields" key={type?.name}>
          <PayloadFields schema={schema} />
        </div>
        <label><span>priority</span><input name="priority" type="number" min="0" max="100" defaultValue="0" /></label>
        <label><span>tags</span><input name="tags" placeholder="comma-separated" /></label>
        <button id="sSubmit" type="submit">Submit</button>
      </form>
    </Section>
  );
}
