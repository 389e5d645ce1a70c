// Package statistics turns a cluster's pathways into the tables the
// aggregates-only audience reads — discharges, pathways per status and per
// gap kind, per member municipality and for the whole cluster, per calendar
// month and quarter in Danish time — and protects them with package
// disclosure so that no count from 1 to 4 can be read or worked out.
//
// The unit of protection is a cluster's calendar quarter: its months are
// published one by one as each becomes final, each month's pattern decided
// from that month alone, and the last month together with the quarter,
// with the earlier months' patterns fixed. So a period's pattern depends
// only on data that was final when it was first published, and the same
// data always gives the same pattern, whenever and however often it is
// asked for.
//
// It is pure: no I/O, no GraphQL. docs/STATISTICS.md is the reader's guide.
package statistics
