// Uses a running klynge as a front-end team would, with the two client
// libraries they are most likely to pick, and checks that each behaves as
// that library expects: a query, a variable error, and (Apollo Client) an
// automatic persisted query. It starts nothing itself:
//
//   node scripts/client-check/check.mjs http://127.0.0.1:8080/graphql CPR
//
// CPR is a citizen the demo's sandbox knows (GET /_sandbox/citizens?sample=1).
// The last line is "N passed, N failed"; the exit code is non-zero on any
// failure. When the endpoint wants a bearer token, put it in
// KLYNGE_TEST_BEARER_TOKEN.
import { createHash } from 'node:crypto';
import { GraphQLClient, ClientError, gql as gqlRequest } from 'graphql-request';
import { ApolloClient, InMemoryCache, HttpLink, gql } from '@apollo/client';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';

const [url, cpr] = process.argv.slice(2);
if (!url || !cpr) {
  console.error('usage: node check.mjs http://HOST:PORT/graphql CPR');
  process.exit(2);
}

const results = [];
async function check(name, fn) {
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`ok    ${name}`);
  } catch (err) {
    results.push({ name, ok: false });
    console.log(`FAIL  ${name}\n      ${err?.stack ?? err}`);
  }
}
function expect(cond, msg) {
  if (!cond) throw new Error(msg);
}

const citizenQuery = `query CitizenName($cpr: CPR!) { citizen(cpr: $cpr) { cpr name municipality { name } } }`;

// graphql-request: the smallest client; throws ClientError on any error.
const token = process.env.KLYNGE_TEST_BEARER_TOKEN;
const auth = token ? { authorization: `Bearer ${token}` } : {};
const request = new GraphQLClient(url, { headers: auth });

await check('graphql-request: a query returns data', async () => {
  const data = await request.request(gqlRequest`${citizenQuery}`, { cpr });
  expect(typeof data.citizen?.name === 'string' && data.citizen.name !== '', `no name in ${JSON.stringify(data)}`);
});

await check('graphql-request: a malformed CPR is a ClientError with BAD_USER_INPUT', async () => {
  try {
    await request.request(citizenQuery, { cpr: '12345' });
  } catch (err) {
    expect(err instanceof ClientError, `threw ${err?.constructor?.name}: ${err}`);
    const e = err.response.errors?.[0];
    expect(e?.extensions?.code === 'BAD_USER_INPUT', `error ${JSON.stringify(err.response.errors)}`);
    expect(!e.message.includes('12345'), 'the error echoes the CPR sent');
    return;
  }
  throw new Error('no error for a malformed CPR');
});

await check('graphql-request: a missing variable is a ClientError with the validation code', async () => {
  try {
    await request.request(citizenQuery, {});
  } catch (err) {
    expect(err instanceof ClientError, `threw ${err?.constructor?.name}: ${err}`);
    expect(err.response.status === 400, `status ${err.response.status}`);
    expect(err.response.errors?.[0]?.extensions?.code === 'GRAPHQL_VALIDATION_FAILED', `errors ${JSON.stringify(err.response.errors)}`);
    return;
  }
  throw new Error('no error for a missing variable');
});

// Apollo Client 4 with automatic persisted queries, over a fetch that
// records what went on the wire.
const sent = [];
const recordingFetch = async (input, init) => {
  sent.push(JSON.parse(init.body));
  return fetch(input, init);
};
const sha256 = (doc) => createHash('sha256').update(doc).digest('hex');
const apollo = () =>
  new ApolloClient({
    cache: new InMemoryCache(),
    link: new PersistedQueryLink({ sha256 }).concat(new HttpLink({ uri: url, fetch: recordingFetch, headers: auth })),
  });

await check('Apollo Client: a query returns data', async () => {
  const { data } = await apollo().query({ query: gql(citizenQuery), variables: { cpr } });
  expect(data.citizen?.name, `no name in ${JSON.stringify(data)}`);
});

await check('Apollo Client: a malformed CPR is a CombinedGraphQLErrors with BAD_USER_INPUT', async () => {
  try {
    await apollo().query({ query: gql(citizenQuery), variables: { cpr: '12345' } });
  } catch (err) {
    expect(CombinedGraphQLErrors.is(err), `threw ${err?.constructor?.name}: ${err}`);
    expect(err.errors[0]?.extensions?.code === 'BAD_USER_INPUT', `errors ${JSON.stringify(err.errors)}`);
    return;
  }
  throw new Error('no error for a malformed CPR');
});

await check('Apollo Client: a persisted query is registered once, then sent by hash alone', async () => {
  // A name of its own, so that the server has not seen it from a run before.
  const q = `query Version${process.pid}x${Date.now()} { version }`;
  sent.length = 0;
  const first = await apollo().query({ query: gql(q) });
  expect(first.data.version, `no version: ${JSON.stringify(first)}`);
  expect(sent.length === 2 && !sent[0].query && sent[1].query, `first use sent ${JSON.stringify(sent)}`);
  expect(sent[0].extensions?.persistedQuery?.sha256Hash, 'no hash sent');
  sent.length = 0;
  const second = await apollo().query({ query: gql(q) });
  expect(second.data.version === first.data.version, 'second answer differs');
  expect(sent.length === 1 && !sent[0].query, `second use sent ${JSON.stringify(sent)}`);
});

const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log(`\nclient check of ${url}:`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
