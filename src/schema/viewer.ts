// Query.viewer: who the caller is and what it may do, so a client (the dashboard) offers
// only the actions the credential allows.
import { SCOPES } from '../auth/caller.js';
import { builder } from './builder.js';

interface ViewerShape {
  name: string | null;
  tenant: string | null;
  scopes: string[];
  credential: string;
}

const ViewerRef = builder.objectRef<ViewerShape>('Viewer').implement({
  description: 'The caller: its name, tenant and scopes.',
  fields: (t) => ({
    name: t.exposeString('name', { nullable: true, description: "An API key's name or a token's subject; null on an open service." }),
    tenant: t.exposeString('tenant', { nullable: true, description: 'null: every tenant (an operator key, or an open service).' }),
    scopes: t.exposeStringList('scopes', { description: 'Every scope on an open service.' }),
    credential: t.exposeString('credential', { description: '"key", "token", "job-token", or "open".' }),
  }),
});

builder.queryFields((t) => ({
  viewer: t.field({
    type: ViewerRef,
    resolve: (_root, _args, ctx) =>
      ctx.caller.kind === 'known'
        ? { name: ctx.caller.who.name, tenant: ctx.caller.who.tenant || null, scopes: [...ctx.caller.who.scopes], credential: ctx.caller.who.credential }
        : { name: null, tenant: null, scopes: [...SCOPES], credential: 'open' },
  }),
}));
