// GraphQL Codegen: typed operations and the persisted-document manifest.
//   go run ./cmd/klynge schema > schema.graphql
//   npx graphql-codegen --config codegen.ts
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['src/**/*.ts', '!src/gql/**'],
  generates: {
    './src/gql/': {
      preset: 'client',
      config: {
        // ES modules: imports end in .js, as Node resolves them.
        importExtension: '.js',
        // klynge's scalars travel as strings: CPR "DDMMYY-SSSS", Date
        // "YYYY-MM-DD", DateTime RFC 3339 with an offset.
        scalars: { CPR: 'string', Date: 'string', DateTime: 'string' },
        enumsAsTypes: true,
      },
      presetConfig: {
        // src/gql/persisted-documents.json is the manifest the gateway
        // loads (trustedDocuments.manifest); ids are sha256, as klynge wants.
        persistedDocuments: { hashAlgorithm: 'sha256', mode: 'replaceDocumentWithHash' },
      },
    },
  },
};
export default config;
