// Package traffic is what stands between a client and a simulated system:
// it counts every request per system and route with the keys it asked for,
// adds the configured base latency, and injects the faults the controls set
// (latency, errors, dropped connections, slow or malformed bodies).
//
// Control routes never pass through it. It must not log request contents.
package traffic
