// Typed documents generated from the printed schema.graphql (`npm run codegen`): for the
// typed client (client/) and for the operations the tests send. Code writes
// `graphql(\`...\`)` and gets typed data.
import type { CodegenConfig } from '@graphql-codegen/cli';

/** client-preset output for the documents in `folder`, into `folder/gql/`. */
function typedDocuments(folder: string) {
  return {
    documents: [`${folder}/**/*.ts`, `!${folder}/gql/**`],
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
    'client/gql/': typedDocuments('client'),
    'test/gql/': typedDocuments('test'),
  },
};

export default config;
