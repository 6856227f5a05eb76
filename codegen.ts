// Typed documents generated from the printed schema.graphql (`npm run codegen`): for the
// typed client (packages/client/), the dashboard (dashboard/) and the operations the tests send. Code writes
// `graphql(\`...\`)` and gets typed data.
import type { CodegenConfig } from '@graphql-codegen/cli';

/** client-preset output for the documents in `folder`, into `folder/gql/`. */
function typedDocuments(folder: string) {
  return {
    documents: [`${folder}/**/*.{ts,tsx}`, `!${folder}/gql/**`],
    preset: 'client' as const,
    config: {
      scalars: { DateTime: 'string', JSON: 'unknown', ID: 'string' },
      enumsAsTypes: true,
      useTypeImports: true,
    },
    presetConfig: { fragmentMasking: false },
  };
}

const config: CodegenConfig = {
  schema: 'schema.graphql',
  ignoreNoDocuments: true,
  // NodeNext resolution wants explicit .js extensions in relative imports.
  importExtension: '.js',
  generates: {
    'packages/client/gql/': typedDocuments('packages/client'),
    // Every code the service may send (enums ErrorCode and UserErrorCode, printed from
    // src/domain/errors.ts): the one list the client and the dashboard share with it.
    'packages/client/gql/codes.ts': {
      plugins: ['typescript'],
      config: { onlyEnums: true, enumsAsConst: true, namingConvention: 'keep' },
    },
    'dashboard/gql/': typedDocuments('dashboard'),
    'test/gql/': typedDocuments('test'),
  },
};

export default config;
