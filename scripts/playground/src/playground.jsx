// klynge's playground: GraphiQL, served by the gateway from its own binary
// (no CDN), configured by data attributes on #klynge-playground (no inline
// script, so a Content-Security-Policy of script-src 'self' holds).
//
// What it adds to GraphiQL:
//   - every request, the schema's introspection included, carries the
//     headers editor's current headers, and the schema is fetched again when
//     the Authorization header changes (a pasted token fixes Docs at once);
//   - with data-token-issuer (klynge demo), a "Demo tokens" panel that asks
//     the sandbox's development issuer for a token of the chosen demo client
//     and puts it in the headers, and puts a citizen that client may read in
//     the variables.
import React, { useEffect, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { useEditorContext, useSchemaContext } from '@graphiql/react';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import 'graphiql/graphiql.css';
import './playground.css';

const root = document.getElementById('klynge-playground');
const config = {
  endpoint: root.dataset.endpoint || '/graphql',
  headers: root.dataset.headers || '{}',
  issuer: root.dataset.tokenIssuer || '',
};

// The headers editor, once GraphiQL has made it: the fetcher reads it at
// call time, so that the schema request after a new token carries it.
const editors = { headers: null };

function currentHeaders() {
  const text = editors.headers ? editors.headers.getValue() : config.headers;
  try {
    const parsed = JSON.parse(text || '{}');
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}

const baseFetcher = createGraphiQLFetcher({ url: new URL(config.endpoint, window.location.href).href });
const fetcher = (params, opts) => baseFetcher(params, { ...opts, headers: { ...currentHeaders(), ...(opts?.headers || {}) } });

// SchemaRefresh fetches the schema again whenever the Authorization header
// changes, so a token pasted (or fetched) after the page loaded makes Docs
// and autocompletion work without the re-fetch button.
function SchemaRefresh() {
  const { headerEditor } = useEditorContext({ nonNull: true });
  const { introspect } = useSchemaContext({ nonNull: true });
  const last = useRef(null);
  useEffect(() => {
    if (!headerEditor) return undefined;
    editors.headers = headerEditor;
    last.current = currentHeaders().Authorization || '';
    let timer;
    const onChange = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const auth = currentHeaders().Authorization || '';
        if (auth !== last.current) {
          last.current = auth;
          introspect();
        }
      }, 300);
    };
    headerEditor.on('change', onChange);
    return () => {
      clearTimeout(timer);
      headerEditor.off('change', onChange);
    };
  }, [headerEditor, introspect]);
  return null;
}

// issuerRequest calls the sandbox's development issuer (another origin: it
// answers CORS for any origin, its secrets being public).
async function issuerRequest(path, init) {
  const resp = await fetch(config.issuer + path, init);
  const body = await resp.json().catch(() => ({}));
  if (!resp.ok) {
    throw new Error(body.error_description || body.error || `${resp.status} ${resp.statusText}`);
  }
  return body;
}

function DemoTokens() {
  const { headerEditor, variableEditor } = useEditorContext({ nonNull: true });
  const [clients, setClients] = useState([]);
  const [secret, setSecret] = useState('demo');
  const [chosen, setChosen] = useState('clinician-slagelse');
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');

  useEffect(() => {
    issuerRequest('/clients')
      .then((body) => {
        setClients(body.clients || []);
        setSecret(body.client_secret || 'demo');
      })
      .catch((err) => setError(`The demo issuer at ${config.issuer} did not answer: ${err.message}`));
  }, []);

  const client = clients.find((c) => c.client_id === chosen);

  async function getToken() {
    setError('');
    setStatus('Asking the issuer…');
    try {
      const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: chosen, client_secret: secret });
      const body = await issuerRequest('/token', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      });
      const headers = { ...currentHeaders(), Authorization: `Bearer ${body.access_token}` };
      headerEditor.setValue(JSON.stringify(headers, null, 2));
      const minutes = Math.round((body.expires_in || 3600) / 60);
      setStatus(`Token for ${chosen} in the headers (valid ${minutes} minutes).`);
    } catch (err) {
      setStatus('');
      setError(`No token for ${chosen}: ${err.message}`);
    }
  }

  function useCitizen(cpr) {
    let vars = {};
    try {
      vars = JSON.parse(variableEditor.getValue() || '{}') || {};
    } catch {
      vars = {};
    }
    variableEditor.setValue(JSON.stringify({ ...vars, cpr }, null, 2));
  }

  return (
    <div className="klynge-tokens">
      <div className="graphiql-doc-explorer-title">Demo tokens</div>
      <p>
        The demo's sandbox runs a development identity provider with one client per role. Pick one and get
        a token: it goes into the <em>Headers</em>, and the schema is fetched with it.
      </p>
      <label htmlFor="klynge-client">Demo client</label>
      <select id="klynge-client" value={chosen} onChange={(e) => setChosen(e.target.value)}>
        {clients.map((c) => (
          <option key={c.client_id} value={c.client_id}>
            {c.client_id} ({c.role})
          </option>
        ))}
      </select>
      {client && <p className="klynge-client-description">{client.description}</p>}
      <button type="button" id="klynge-get-token" className="graphiql-button" onClick={getToken}>
        Get token
      </button>
      {client?.example_citizen && (
        <p>
          A citizen {chosen} may read:{' '}
          <button type="button" id="klynge-use-citizen" className="graphiql-button" onClick={() => useCitizen(client.example_citizen)}>
            put {client.example_citizen} in the variables as cpr
          </button>
        </p>
      )}
      <p id="klynge-token-status" role="status">{status}</p>
      {error && <p id="klynge-token-error" className="klynge-error" role="alert">{error}</p>}
    </div>
  );
}

function KeyIcon() {
  return (
    <svg viewBox="0 0 24 24" width="1em" height="1em" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="1.5">
      <circle cx="8" cy="15" r="4" />
      <path d="M11 12l9-9m-4 4l3 3m-5-1l2 2" />
    </svg>
  );
}

const plugins = config.issuer ? [{ title: 'Demo tokens', icon: KeyIcon, content: DemoTokens }] : [];

createRoot(root).render(
  <GraphiQL
    fetcher={fetcher}
    headers={config.headers}
    shouldPersistHeaders={false}
    isHeadersEditorEnabled
    defaultEditorToolsVisibility="headers"
    plugins={plugins}
    visiblePlugin={plugins[0]}
  >
    <GraphiQL.Logo>klynge</GraphiQL.Logo>
    <GraphiQL.Footer>
      <SchemaRefresh />
    </GraphiQL.Footer>
  </GraphiQL>,
);
