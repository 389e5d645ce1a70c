// Package disclosure protects frequency tables by cell suppression, so that
// no count from 1 to 4 (a handful of citizens) can be read or worked out
// from what is published.
//
// A problem is a set of inner cells (counts that are never published, e.g.
// the GAP pathways of one municipality in one month) and published cells,
// each the sum of some inner cells (a municipality's month, the cluster's
// quarter, a row, a column). Protect decides which cells to hide:
//
//  1. Primary suppression: every cell counting 1 to 4 (the threshold rule of
//     Danish health statistics; zero is published).
//  2. Secondary suppression by Gaussian elimination (Langsrud 2024, the
//     method of Statistics Norway's GaussSuppression): cells are published
//     in priority order, and a cell whose publication would make a hidden
//     count a linear combination of published ones is hidden instead.
//  3. Interval protection: for every hidden count, a linear program finds
//     the largest value a reader could still believe, given every published
//     cell, every other constraint the reader knows (Problem.Constraints),
//     that inner cells are not negative and that a hidden cell is never 0.
//     Where that is less than the count plus Rule.Protection, more cells are
//     hidden until it is not.
//
// Cells decided in an earlier publication (Cell.Fixed) keep their status:
// a period published once is never published again with another pattern.
//
// Everything is deterministic: the same problem gives the same pattern. The
// package knows nothing of pathways, periods or GraphQL (package statistics
// builds the tables), and does no I/O. docs/STATISTICS.md states the method
// and its sources.
package disclosure
