// Typed documents for the operations the tests send, generated from the printed
// schema.graphql (`npm run codegen`). Tests write `graphql(\`...\`)` and get typed data.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema.graphql',
  ignoreNoDocuments: true,
  // NodeNext resolution wants explicit .js extensions in relative imports.
  importExtension: '.js',
  generates: {
    // The typed client (client/), published from the repo for applications and the tests.
    'client/gql/': {
      documents: ['client/**/*.ts', '!client/gql/**'],
      preset: 'client',
      config: {
        scalars: { DateTime: 'string', JSON: 'unknown', ID: 'string' },
        enumsAsTypes: true,
        useTypeImports: true,
      },
      presetConfig: { fragmentMasking: false },
    },
    'test/gql/': {
      documents: ['test/**/*.ts', '!test/gql/**'],
      preset: 'client',
      config: {
        scalars: { DateTime: 'string', JSON: 'unknown', ID: 'string' },
        enumsAsTypes: true,
        useTypeImports: true,
      },
      presetConfig: { fragmentMasking: false },
    },
  },
};

export default config;
