// Package loaders holds klynge's per-operation dataloaders
// (graph-gophers/dataloader/v7), one per upstream key: patient, encounters,
// out-of-hours contacts, municipal services/visits/notifications (grouped by
// the citizen's municipality instance), referrals, GP contacts and practices.
//
// Resolvers never call connectors: they Load keys here, and every key loaded
// within one short window (Options.Wait) of the same operation becomes one
// upstream request per system instance. Loaders are built per operation
// (Middleware attaches them in gqlgen's AroundOperations), never shared
// between requests: a batch runs with the context of its first Load, so
// sharing would leak one caller's deadline and identity into another's.
//
// Errors are cached for the operation's life on purpose: asking a failing
// system again within the same answer only adds load where it hurts.
package loaders
