// Runs every server audit of the graphql-http package (MUST, SHOULD and
// MAY) against a running GraphQL endpoint and exits non-zero unless all
// pass. It starts nothing itself:
//
//   node scripts/graphql-http-audit/audit.mjs http://127.0.0.1:8080/graphql
//
// The last line is "N passed, N failed" so that CI logs can be read at a
// glance. When the endpoint wants a bearer token, put it in
// KLYNGE_TEST_BEARER_TOKEN: every audit request then carries it.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url || !/^https?:\/\//.test(url)) {
  console.error('usage: node audit.mjs http://HOST:PORT/graphql');
  process.exit(2);
}

const token = process.env.KLYNGE_TEST_BEARER_TOKEN;
const fetchFn = token
  ? (input, init = {}) => {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${token}`);
      return fetch(input, { ...init, headers });
    }
  : fetch;
const audits = serverAudits({ url, fetchFn });
const results = [];
// One at a time: the endpoint's rate limit and the log stay readable.
for (const a of audits) {
  results.push(await a.fn());
}

let passed = 0;
let failed = 0;
const byLevel = {};
for (const r of results) {
  const level = r.name.split(' ')[0];
  byLevel[level] ??= { ok: 0, failed: 0 };
  if (r.status === 'ok') {
    passed++;
    byLevel[level].ok++;
    console.log(`ok    ${r.id}  ${r.name}`);
  } else {
    failed++;
    byLevel[level].failed++;
    console.log(`${r.status.padEnd(5)} ${r.id}  ${r.name}`);
    console.log(`      ${r.reason}`);
    if (r.response) {
      const body = await r.response.text().catch(() => '');
      console.log(`      status ${r.response.status}, content-type ${r.response.headers.get('content-type')}, body ${body.slice(0, 300)}`);
    }
  }
}
console.log('');
for (const [level, n] of Object.entries(byLevel)) {
  console.log(`${level}: ${n.ok}/${n.ok + n.failed}`);
}
console.log(`graphql-http audit of ${url}:`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed === audits.length ? 0 : 1);
