import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships ESM and CommonJS. Node loads the CommonJS build for everyone (no
    // "exports" map); vite would hand our code the ESM one, and graphql refuses objects
    // from the other copy. Pin the same build Node uses.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
    // Workspace packages (packages/*) are used through their exports, from source.
    conditions: ['source', 'module', 'node', 'development'],
  },
  // Vitest hands these to its worker processes as Node's --conditions too, for what Node
  // loads itself: "module" there would pick @opentelemetry/api's bundler build (imports
  // without file extensions), which Node's loader refuses.
  ssr: { resolve: { conditions: ['source', 'node', 'development'], externalConditions: ['source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/globalSetup.ts'],
    // Each file has its own database and queue prefix, so files run in parallel.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
