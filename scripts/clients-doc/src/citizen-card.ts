// A typed operation, sent by its id only: the gateway runs the document
// the manifest holds for that id (docs/TRUSTED-DOCUMENTS.md).
//   KLYNGE_TOKEN=$(go run ./cmd/klynge token clinician-slagelse) \
//     node dist/citizen-card.js http://127.0.0.1:8080/graphql CPR
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { graphql } from './gql/index.js';

const CitizenCard = graphql(`
  query CitizenCard($cpr: CPR!) {
    citizen(cpr: $cpr) {
      cpr
      name
      age
      municipality { name }
      pathways(first: 5) { nodes { status gaps { kind severity } } }
    }
  }
`);

type GraphQLError = { message: string; path?: (string | number)[]; extensions?: { code?: string } };

async function run<R, V>(url: string, token: string, doc: TypedDocumentNode<R, V>, variables: V): Promise<R> {
  // Codegen writes the id as "sha256:<hex>", the form klynge's documentId takes.
  const { hash } = (doc as unknown as { __meta__: { hash: string } }).__meta__;
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json;q=0.9',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ documentId: hash, variables }),
  });
  const body = (await res.json()) as { data?: R; errors?: GraphQLError[] };
  if (body.errors?.length) {
    throw new Error(body.errors.map((e) => `${e.extensions?.code}: ${e.message}`).join('; '));
  }
  return body.data as R;
}

const [url, cpr] = process.argv.slice(2);
const data = await run(url, process.env.KLYNGE_TOKEN ?? '', CitizenCard, { cpr });
// data.citizen is typed: null, or { name: string; age: number; pathways: ... }
const c = data.citizen;
const pathways = c?.pathways?.nodes ?? []; // null when a system did not answer
const gaps = pathways.flatMap((p) => p.gaps);
console.log(`citizen card: ${c?.name}, ${c?.age}, ${c?.municipality?.name}; ${pathways.length} pathways, ${gaps.length} gaps`);
