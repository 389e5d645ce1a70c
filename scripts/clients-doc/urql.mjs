// urql: a cluster's worklist as its integrator reads it, page by page; and
// the error an unknown cluster id gets.
//   KLYNGE_TOKEN=$(go run ./cmd/klynge token integrator-naestved-slagelse) \
//     node urql.mjs http://127.0.0.1:8080/graphql sjaelland-naestved-slagelse
import { Client, cacheExchange, fetchExchange, gql } from '@urql/core';

const [url, cluster] = process.argv.slice(2);

const client = new Client({
  url,
  exchanges: [cacheExchange, fetchExchange],
  fetchOptions: () => ({ headers: { authorization: `Bearer ${process.env.KLYNGE_TOKEN}` } }),
  // POST, also for queries: variables with CPRs stay out of URLs, which
  // proxies and browser histories keep.
  preferGetMethod: false,
});

const WORKLIST = gql`
  query Worklist($cluster: ID!, $after: String) {
    cluster(id: $cluster) {
      name
      pathways(first: 10, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { pseudonym status dischargedAt gaps { kind severity } }
      }
    }
  }
`;

// Forward paging: pass pageInfo.endCursor as after until hasNextPage is false.
const rows = [];
let after = null;
let total = 0;
do {
  const result = await client.query(WORKLIST, { cluster, after }).toPromise();
  if (result.error) throw result.error; // a CombinedError: networkError or graphQLErrors
  const page = result.data.cluster.pathways;
  rows.push(...page.nodes);
  total = page.totalCount;
  after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
} while (after);
const withGaps = rows.filter((p) => p.gaps.length > 0).length;
console.log(`worklist: ${rows.length} of ${total} pathways, ${withGaps} with handover gaps`);

// An unknown id is an input error naming the argument, not null.
const unknown = await client.query(WORKLIST, { cluster: 'no-such-cluster', after: null }).toPromise();
const [e] = unknown.error.graphQLErrors;
console.log(`unknown cluster: ${e.extensions.code} (${e.extensions.field}): ${e.message}`);
