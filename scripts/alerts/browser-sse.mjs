// From a browser: the alerts of a cluster over server-sent events with
// graphql-sse (fetch and streams only, no WebSocket). Each reconnect sends
// the last alert's id as Last-Event-ID, so nothing is missed and nothing
// comes twice; headers() runs on every attempt, so a new token is used.
import { createClient } from 'graphql-sse';
import { ALERTS } from './alerts.graphql.mjs';

export function watchAlerts({ url, getToken, cluster, after = null, onAlert, onError }) {
  let last = after;
  const client = createClient({
    url,
    headers: async () => ({
      Authorization: `Bearer ${await getToken()}`,
      ...(last ? { 'Last-Event-ID': last } : {}),
    }),
    retryAttempts: 5,
  });
  const stop = client.subscribe(
    { query: ALERTS, variables: { cluster } },
    {
      next: ({ data, errors }) => {
        if (errors) return onError(errors);
        last = data.handoverAlerts.id;
        onAlert(data.handoverAlerts);
      },
      error: onError,
      complete: () => {},
    },
  );
  return () => {
    stop();
    client.dispose();
  };
}
