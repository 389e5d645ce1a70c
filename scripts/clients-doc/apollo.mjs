// Apollo Client 4: a citizen's timeline, page by page, merged in the cache;
// and a citizen the caller may not read, as Apollo reports it.
//   KLYNGE_TOKEN=$(go run ./cmd/klynge token gp-demo) \
//     node apollo.mjs http://127.0.0.1:8080/graphql CPR OTHER_CPR
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { filter, firstValueFrom } from 'rxjs';

const [url, cpr, otherCpr] = process.argv.slice(2);

const client = new ApolloClient({
  link: new HttpLink({ uri: url, headers: { authorization: `Bearer ${process.env.KLYNGE_TOKEN}` } }),
  cache: new InMemoryCache({
    typePolicies: {
      // A citizen is identified by the CPR (there is no id field).
      Citizen: {
        keyFields: ['cpr'],
        fields: {
          // One list per filter; pages (after) are appended to it.
          timeline: {
            keyArgs: ['since', 'until', 'sources'],
            merge(existing, incoming, { args }) {
              if (!existing || !args?.after) return incoming;
              return { ...incoming, nodes: [...existing.nodes, ...incoming.nodes] };
            },
          },
        },
      },
    },
  }),
});

const TIMELINE = gql`
  query Timeline($cpr: CPR!, $after: String) {
    citizen(cpr: $cpr) {
      cpr
      name
      timeline(first: 5, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { at source kind summary }
      }
    }
  }
`;

const timeline = client.watchQuery({ query: TIMELINE, variables: { cpr } });
const watching = timeline.subscribe(() => {});
const first = await firstValueFrom(timeline.pipe(filter((r) => !r.loading)));
let { pageInfo } = first.data.citizen.timeline;
let pages = 1;
while (pageInfo.hasNextPage) {
  // fetchMore answers with the new page; the cache merges it into the list.
  const next = await timeline.fetchMore({ variables: { after: pageInfo.endCursor } });
  pageInfo = next.data.citizen.timeline.pageInfo;
  pages++;
}
const t = client.readQuery({ query: TIMELINE, variables: { cpr } }).citizen.timeline; // the merged list
watching.unsubscribe();
console.log(`timeline: ${t.nodes.length} of ${t.totalCount} events in ${pages} pages, newest ${t.nodes[0]?.at}`);

// Without a care relationship the citizen is null and the error says why.
// errorPolicy 'all' keeps the rest of the answer; the default ('none')
// throws a CombinedGraphQLErrors.
const refused = await client.query({
  query: gql`query Other($cpr: CPR!) { citizen(cpr: $cpr) { cpr name } }`,
  variables: { cpr: otherCpr },
  errorPolicy: 'all',
});
if (CombinedGraphQLErrors.is(refused.error)) {
  const [e] = refused.error.errors;
  console.log(`other citizen: ${JSON.stringify(refused.data?.citizen ?? null)}, ${e.extensions.code}: ${e.message}`);
}
