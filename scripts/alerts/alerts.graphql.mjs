// The subscription every example sends (docs/ALERTS.md).
export const ALERTS = `subscription Alerts($cluster: ID!, $after: ID) {
  handoverAlerts(cluster: $cluster, after: $after) {
    id kind municipalityCode at detectedAt due rule message
    pathway { id status dischargedAt destination pseudonym citizen { cpr name } }
  }
}`;
