// Package controls holds the JSON types of the sandbox's control routes under
// /_sandbox/: request statistics, fault injection, the planted ground truth,
// citizen samples and the index. Gateway tests anywhere in the repository
// decode control answers with them; the sandbox encodes with them.
//
// It must not import the sandbox or anything that generates data: it is a
// wire contract, nothing more.
package controls
