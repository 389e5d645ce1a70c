// From a server (Node): the alerts of a cluster over WebSocket with
// graphql-ws, as an async iterator that resumes after the last alert
// whenever the connection ends and may be opened again: the token expired
// (4403: getToken gives a new one) or the client read too slowly (4008).
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { ALERTS } from './alerts.graphql.mjs';

const RECONNECT = new Set([4403, 4008, 1001, 1006]);

export async function* alerts({ url, getToken, cluster, after = null }) {
  let last = after;
  for (;;) {
    const client = createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket, // Node 22 and browsers have their own
      connectionParams: async () => ({ Authorization: `Bearer ${await getToken()}` }),
      retryAttempts: 0, // we reconnect ourselves, with the last id
    });
    try {
      for await (const { data, errors } of client.iterate({ query: ALERTS, variables: { cluster, after: last } })) {
        if (errors) throw new Error(errors.map((e) => `${e.extensions?.code}: ${e.message}`).join('; '));
        last = data.handoverAlerts.id;
        yield data.handoverAlerts;
      }
      return; // the server completed the subscription
    } catch (err) {
      if (!RECONNECT.has(err?.code)) throw err;
    } finally {
      await client.dispose();
    }
  }
}
