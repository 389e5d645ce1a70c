// Runs docs/ALERTS.md's examples against a running demo whose world runs
// on (klynge demo -speed ...), as TestAlertsDocExamples does:
//
//   KLYNGE_TEST_INTEGRATOR_TOKEN=... KLYNGE_TEST_NURSE_TOKEN=... \
//     node scripts/alerts/check.mjs http://127.0.0.1:8080/graphql sjaelland-naestved-slagelse
//
// The last line is "N passed, N failed"; the exit code is non-zero on any
// failure.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { alerts } from './server-ws.mjs';
import { watchAlerts } from './browser-sse.mjs';
import { urqlClient } from './urql.mjs';
import { ALERTS } from './alerts.graphql.mjs';

const [url, cluster] = process.argv.slice(2);
const integrator = process.env.KLYNGE_TEST_INTEGRATOR_TOKEN;
const nurse = process.env.KLYNGE_TEST_NURSE_TOKEN;
if (!url || !cluster || !integrator || !nurse) {
  console.error('usage: KLYNGE_TEST_INTEGRATOR_TOKEN=... KLYNGE_TEST_NURSE_TOKEN=... node check.mjs URL CLUSTER');
  process.exit(2);
}

const results = [];
async function check(name, fn) {
  try {
    await fn();
    results.push(true);
    console.log(`ok    ${name}`);
  } catch (err) {
    results.push(false);
    console.log(`FAIL  ${name}\n      ${err?.stack ?? JSON.stringify(err)}`);
  }
}
function expect(cond, msg) {
  if (!cond) throw new Error(msg);
}
function within(ms, what, promise) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms / 1000}s`)), ms))),
  ]);
}
const pseudonymised = (a) => a.pathway.citizen === null && /^p-[a-z2-7]{26}$/.test(a.pathway.pseudonym ?? '');

await check('graphql-ws (server): an integrator gets alerts with pseudonyms, not citizens', async () => {
  const it = alerts({ url, getToken: async () => integrator, cluster });
  const first = await within(60000, 'first alert', it.next());
  await it.return();
  const a = first.value;
  expect(a && /^\d+$/.test(a.id) && a.kind && a.message, `alert ${JSON.stringify(a)}`);
  expect(pseudonymised(a), `not pseudonymised: ${JSON.stringify(a.pathway)}`);
});

await check('graphql-sse (browser): alerts arrive, and a client resuming after one gets the next, once', async () => {
  const seen = [];
  await within(90000, 'three alerts', new Promise((resolve, reject) => {
    const stop = watchAlerts({
      url, getToken: async () => integrator, cluster,
      // Alerts already on their way when stop() runs still arrive (a burst
      // comes in one read): only the first three count.
      onAlert: (a) => { if (seen.length < 3) { seen.push(a); if (seen.length === 3) { stop(); resolve(); } } },
      onError: (e) => { stop(); reject(e); },
    });
  }));
  expect(seen.every(pseudonymised), 'an integrator saw a citizen');
  const ids = seen.map((a) => a.id);
  expect(new Set(ids).size === 3 && ids.every((id, i) => i === 0 || BigInt(id) > BigInt(ids[i - 1])), `ids ${ids}`);
  const resumed = [];
  await within(30000, 'resumed alerts', new Promise((resolve, reject) => {
    const stop = watchAlerts({
      url, getToken: async () => integrator, cluster, after: ids[0],
      onAlert: (a) => { if (resumed.length < 2) { resumed.push(a.id); if (resumed.length === 2) { stop(); resolve(); } } },
      onError: (e) => { stop(); reject(e); },
    });
  }));
  expect(resumed[0] === ids[1] && resumed[1] === ids[2], `resumed after ${ids[0]} with ${resumed}, want ${ids.slice(1)}`);
});

await check('urql + graphql-ws: a municipal nurse gets her citizens\' alerts with the citizen', async () => {
  const { client, close } = urqlClient({ url, token: nurse });
  try {
    const a = await within(120000, 'a nurse alert', new Promise((resolve, reject) => {
      const { unsubscribe } = client.subscription(ALERTS, { cluster }).subscribe((result) => {
        unsubscribe();
        if (result.error) reject(result.error);
        else resolve(result.data.handoverAlerts);
      });
    }));
    expect(a.pathway.pseudonym === null && a.pathway.citizen?.cpr, `nurse alert ${JSON.stringify(a.pathway)}`);
  } finally {
    close();
  }
});

await check('graphql-ws: an unknown cluster is BAD_USER_INPUT naming the argument', async () => {
  const client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${nurse}` }, retryAttempts: 0 });
  try {
    const it = client.iterate({ query: ALERTS, variables: { cluster: 'no-such-cluster' } });
    let errors;
    try {
      const r = await within(10000, 'the error', it.next());
      errors = r.value?.errors;
    } catch (err) {
      errors = Array.isArray(err) ? err : [err];
    }
    expect(errors?.[0]?.extensions?.code === 'BAD_USER_INPUT' && errors[0].message.startsWith('cluster:'), `errors ${JSON.stringify(errors)}`);
  } finally {
    await client.dispose();
  }
});

await check('graphql-ws: a connection without a token is refused with 4403', async () => {
  const client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
  try {
    await within(10000, 'the refusal', client.iterate({ query: ALERTS, variables: { cluster } }).next());
    throw new Error('subscribed without a token');
  } catch (err) {
    expect(err?.code === 4403, `closed with ${err?.code} ${err?.reason}`);
  } finally {
    await client.dispose();
  }
});

const passed = results.filter(Boolean).length;
console.log(`${passed} passed, ${results.length - passed} failed`);
process.exit(results.length === passed ? 0 : 1);
