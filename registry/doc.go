// Package registry is klynge's reference data: the 5 regions, 98
// municipalities and 22 health clusters (sundhedsklynger), with which cluster
// memberships are confirmed by a source and which are inferred, the acute
// hospitals, the cluster levels, theme committees, initiatives and funding
// where the sources have them.
//
// The data is a snapshot embedded in the binary (data/, copied from the
// project's reference folder with its SOURCES.md); the product never reads
// files at run time for it. Cluster membership is a relation, not a function
// of the municipality: København belongs to two clusters, and four
// municipalities in Region Syddanmark are in none that the sources name.
//
// The package has no network access and keeps no global state: Load parses
// the snapshot into an immutable *Registry.
package registry
